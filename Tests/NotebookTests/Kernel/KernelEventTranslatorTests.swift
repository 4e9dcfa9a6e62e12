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
        let start = Date()
        XCTAssertEqual(events.events(for: [.standardOutput("ep")], final: false, now: start), [])
        XCTAssertTrue(events.holdsPartialLine)
        XCTAssertEqual(events.events(for: [.standardOutput("ep")], final: false, now: start + 0.3),
                       [.stream(name: "stdout", text: "ep")], "a line's start waits only so long")
        XCTAssertFalse(events.holdsPartialLine)
        XCTAssertEqual(events.events(for: [.standardOutput("epoch 1\n")], final: false), [.stream(name: "stdout", text: "och 1\n")])
        XCTAssertEqual(events.events(for: [.standardOutput("epoch 1\n"), .display(.text("t"))], final: false),
                       [.display(data: ["text/plain": "t"], displayID: nil)])
        XCTAssertEqual(events.events(for: [.standardOutput("epoch 1\n"), .display(.text("t"))], final: true), [])
    }

    func testALineAndItsNewlineWrittenApartAreOneOutput() {
        var events = translator()
        let start = Date()
        XCTAssertEqual(events.events(for: [.standardOutput("a\n42")], final: false, now: start), [.stream(name: "stdout", text: "a\n")])
        XCTAssertEqual(events.events(for: [.standardOutput("a\n42\n")], final: false, now: start + 0.01), [.stream(name: "stdout", text: "42\n")])
        XCTAssertEqual(events.events(for: [.standardOutput("a\n42\nb")], final: true, now: start + 0.02), [.stream(name: "stdout", text: "b")],
                       "the cell's end publishes what is held")
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
        let start = Date()
        XCTAssertEqual(events.liveFigure(figure, now: start), [.display(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live")])
        XCTAssertEqual(events.liveFigure(figure, now: start + 1), [.updateDisplay(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live")])
        XCTAssertEqual(events.events(for: [.display(.figure(figure)), .display(.figure(figure))], final: true), [
            .updateDisplay(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live"),
            .display(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: nil),
        ], "the final figure replaces the live one; a second is a figure of its own")
    }

    /// Live figures come faster than they are worth drawing (each epoch): at most one drawing
    /// per interval, the latest drawn when the cell ends; once the final figure took the live
    /// one's place, a late live figure opens no second display.
    func testLiveFiguresAreDrawnAtMostEveryIntervalAndNeverAfterTheFinalOne() {
        var drawn = 0
        var events = KernelEventTranslator(liveDisplayID: "live", renderFigure: { _ in drawn += 1; return "<svg/>" })
        let figure = Figure(xLabel: "x", yLabel: "y", series: [])
        let start = Date()
        XCTAssertEqual(events.liveFigure(figure, now: start).count, 1)
        for tenth in 1..<5 { XCTAssertEqual(events.liveFigure(figure, now: start + Double(tenth) / 10), []) }
        XCTAssertEqual(drawn, 1)
        XCTAssertEqual(events.events(for: [], final: true),
                       [.updateDisplay(data: ["text/plain": "<figure: >", "image/svg+xml": "<svg/>"], displayID: "live")],
                       "the latest live figure, drawn at the end")

        var closed = KernelEventTranslator(liveDisplayID: "live", renderFigure: { _ in "<svg/>" })
        _ = closed.liveFigure(figure, now: start)
        _ = closed.events(for: [.display(.figure(figure))], final: false)
        XCTAssertEqual(closed.liveFigure(figure, now: start + 5), [], "a late live figure after the final one")
    }

    func testProgressIsOneLineRewrittenInPlace() {
        var events = translator()
        XCTAssertEqual(events.progress("epoch 1"), [.display(data: ["text/plain": "epoch 1"], displayID: "live-progress")])
        XCTAssertEqual(events.progress("epoch 2"), [.updateDisplay(data: ["text/plain": "epoch 2"], displayID: "live-progress")])
        XCTAssertEqual(events.progress("trained 2 epochs in 1.0 s"),
                       [.updateDisplay(data: ["text/plain": "trained 2 epochs in 1.0 s"], displayID: "live-progress")])
        XCTAssertEqual(events.progress("epoch 1"), [.display(data: ["text/plain": "epoch 1"], displayID: "live-progress-2")],
                       "a second training in the cell keeps the first one's last line")
        XCTAssertEqual(events.progress("trained 1 epochs in 0.5 s"),
                       [.updateDisplay(data: ["text/plain": "trained 1 epochs in 0.5 s"], displayID: "live-progress-2")])
    }
}
