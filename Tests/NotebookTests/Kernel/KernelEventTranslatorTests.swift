import CellProtocol
import XCTest
@testable import Notebook

/// The pure parts of the engine: outputs published once as they grow, crash reports kept out
/// of standard error, the holder chain's rollback.
final class KernelEventTranslatorTests: XCTestCase {
    private func translator() -> KernelEventTranslator {
        KernelEventTranslator(liveDisplayID: "live") { _ in "<svg/>" }
    }

    func testGrowingTextIsPublishedOnceInPieces() {
        var events = translator()
        XCTAssertEqual(events.events(for: [.standardOutput("ep")], final: false), [.stream(name: "stdout", text: "ep")])
        XCTAssertEqual(events.events(for: [.standardOutput("epoch 1\n")], final: false), [.stream(name: "stdout", text: "och 1\n")])
        XCTAssertEqual(events.events(for: [.standardOutput("epoch 1\n"), .display(.text("t"))], final: false),
                       [.display(data: ["text/plain": "t"], displayID: nil)])
        XCTAssertEqual(events.events(for: [.standardOutput("epoch 1\n"), .display(.text("t"))], final: true), [])
    }

    func testStandardErrorGoesByLinesWithoutTheCrashReport() {
        var events = translator()
        XCTAssertEqual(events.events(for: [.standardError("warn")], final: false), [], "half a line waits")
        let crash = "warn\n💣 Program crashed\nFatal error: boom\n{ \"timestamp\": 1, \"kind\": \"crashReport\" }\nlast"
        XCTAssertEqual(events.events(for: [.standardError(crash)], final: false), [.stream(name: "stderr", text: "warn\n")])
        XCTAssertEqual(events.events(for: [.standardError(crash)], final: true), [.stream(name: "stderr", text: "last")])
    }

    func testLiveFigureThenTheDisplayedFigureShareOneDisplay() {
        var events = translator()
        let figure = Figure(xLabel: "x", yLabel: "y", series: [])
        XCTAssertEqual(events.liveFigure(figure), [.display(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live")])
        XCTAssertEqual(events.liveFigure(figure), [.updateDisplay(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live")])
        XCTAssertEqual(events.events(for: [.display(.figure(figure)), .display(.figure(figure))], final: true), [
            .updateDisplay(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live"),
            .display(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: nil),
        ], "the final figure replaces the live one; a second is a figure of its own")
    }

    func testHolderChainRollsBackToTheResumedHolder() {
        var chain = HolderChain(basePID: 10)
        chain.succeeded(cell: 1, module: "Cell_1", pid: 11)
        chain.succeeded(cell: 3, module: "Cell_3", pid: 13)
        XCTAssertEqual(chain.holder.module, "Cell_3")
        XCTAssertTrue(chain.resumed(pid: 11))
        XCTAssertEqual(chain.cells, [1])
        XCTAssertEqual(chain.holder.module, "Cell_1", "the next cell imports the state's own module")
        XCTAssertFalse(chain.resumed(pid: 99))
        XCTAssertEqual(chain.links.map(\.pid), [10, 11])
    }
}
