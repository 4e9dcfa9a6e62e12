import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// The kernel engine with real processes against the built library: state across cells,
/// rollback after crashes, interrupt, restart and shutdown.
final class KernelEngineTests: XCTestCase {
    private var engine: KernelEngine!

    override func setUp() async throws {
        let toolchain = try Toolchain.locate(executablePath: Project.d2lRun.path)
        engine = KernelEngine(configuration: .init(toolchain: toolchain, directory: Project.temporaryDirectory()))
        try await engine.start()
    }

    override func tearDown() async throws {
        await engine?.shutdown()
    }

    /// Runs `code`; its outcome and events.
    private func run(_ code: String) async -> (outcome: KernelCellOutcome, events: [KernelEvent]) {
        let events = EventLog()
        let outcome = await engine.execute(code) { events.append($0) }
        return (outcome, events.events)
    }

    /// Runs `code`, which must succeed.
    private func expectOK(_ code: String, file: StaticString = #filePath, line: UInt = #line) async {
        let ran = await run(code)
        XCTAssertEqual(ran.outcome, .ok, code, file: file, line: line)
    }

    /// The value a cell made of `expression` shows.
    private func value(_ expression: String) async -> String? {
        result((await run(expression)).events)
    }

    private func stdout(_ events: [KernelEvent]) -> String {
        events.compactMap { if case let .stream("stdout", text) = $0 { return text } else { return nil } }.joined()
    }

    private func stderr(_ events: [KernelEvent]) -> String {
        events.compactMap { if case let .stream("stderr", text) = $0 { return text } else { return nil } }.joined()
    }

    private func result(_ events: [KernelEvent]) -> String? {
        events.compactMap { if case let .result(data) = $0 { return data["text/plain"] } else { return nil } }.first
    }

    private func error(_ outcome: KernelCellOutcome, file: StaticString = #filePath, line: UInt = #line) -> KernelCellError? {
        guard case let .failed(error) = outcome else { XCTFail("the cell succeeded", file: file, line: line); return nil }
        return error
    }

    func testStateFunctionsAndTypesCarryToLaterCells() async throws {
        let first = await run("var counter = 40\nfunc bump() { counter += 1 }\nstruct Point { var x: Int }\nprint(\"first\")")
        XCTAssertEqual(first.outcome, .ok)
        XCTAssertEqual(stdout(first.events), "first\n")
        await expectOK("bump()\nbump()")
        let third = await run("let p = Point(x: counter)\np.x")
        XCTAssertEqual(third.outcome, .ok)
        XCTAssertEqual(result(third.events), "42")
        let holders = await engine.holderPIDs
        XCTAssertEqual(holders.count, 4, "the base and one holder per successful cell")
    }

    func testRedeclarationWithAnotherTypeTheLatestWins() async throws {
        await expectOK("let x = 1")
        await expectOK("let x = \"a\"")
        let shown = await run("x + \"b\"")
        XCTAssertEqual(shown.outcome, .ok)
        XCTAssertEqual(result(shown.events), "\"ab\"")
    }

    func testExtensionDeclaredInOneCellIsUsedByALaterOne() async throws {
        await expectOK("extension Int { var doubled: Int { self * 2 } }")
        let used = await run("print(21.doubled)")
        XCTAssertEqual(stdout(used.events), "42\n")
    }

    func testGlobalsAreInitialisedInCellOrder() async throws {
        let cell = await run("var log: [String] = []\nlet a: Int = { log.append(\"a\"); return 1 }()\nlog.append(\"middle\")\nlet b: Int = { log.append(\"b\"); return 2 }()\nprint(log)")
        XCTAssertEqual(stdout(cell.events), "[\"a\", \"middle\", \"b\"]\n")
    }

    func testFatalErrorRollsBackToTheStateBeforeTheCell() async throws {
        await expectOK("var value = 1")
        let crash = await run("value = 99\nprint(\"before\")\nfatalError(\"boom\")")
        let error = try XCTUnwrap(self.error(crash.outcome))
        XCTAssertEqual(error.kind, .runtimeError)
        XCTAssertTrue(error.message.hasPrefix("line 3: Fatal error: boom"), error.message)
        XCTAssertTrue(error.message.contains(KernelCellError.stateNote), error.message)
        XCTAssertEqual(stdout(crash.events), "before\n")
        let stderr = crash.events.compactMap { if case let .stream("stderr", text) = $0 { return text } else { return nil } }.joined()
        XCTAssertFalse(stderr.contains("crashReport"), "the crash report goes into the error: \(stderr)")
        let shown = await value("value")
        XCTAssertEqual(shown, "1")
    }

    func testSegfaultRollsBack() async throws {
        await expectOK("var value = 1")
        let crash = await run("value = 2\nlet p = unsafeBitCast(0, to: UnsafeMutablePointer<Int>.self)\np.pointee = 1")
        let error = try XCTUnwrap(self.error(crash.outcome))
        XCTAssertEqual(error.kind, .runtimeError)
        XCTAssertTrue(error.message.contains("signal 11") || error.message.contains("line 3"), error.message)
        let shown = await value("value")
        XCTAssertEqual(shown, "1")
    }

    func testCellThatKillsItsOwnProcessRollsBack() async throws {
        await expectOK("var value = 1")
        let killed = await run("value = 3\nkill(getpid(), SIGKILL)")
        XCTAssertTrue(try XCTUnwrap(error(killed.outcome)).message.contains("signal 9"))
        let exited = await run("value = 4\nexit(0)")
        XCTAssertTrue(try XCTUnwrap(error(exited.outcome)).message.contains("ended its own process"))
        let shown = await value("value")
        XCTAssertEqual(shown, "1")
    }

    func testCompileErrorNamesTheCellLineWithTheCaret() async throws {
        let broken = await run("let a = 1\nlet b: String = a")
        let error = try XCTUnwrap(self.error(broken.outcome))
        XCTAssertEqual(error.kind, .compileError)
        XCTAssertTrue(error.message.hasPrefix("line 2:"), error.message)
        XCTAssertTrue(error.details.contains { $0.contains("^") }, "\(error.details)")
        XCTAssertTrue(error.details.contains { $0.contains("let b: String = a") }, "\(error.details)")
        await expectOK("let a = 5\na")
    }

    func testInterruptEndsAnEndlessCellWithinASecondAndKeepsTheState() async throws {
        await expectOK("var value = 7")
        let engine = self.engine!
        let running = Task { await engine.execute("value = 8\nwhile true {}") { _ in } }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let interrupted = Date()
        await engine.interrupt()
        let outcome = await running.value
        XCTAssertLessThan(Date().timeIntervalSince(interrupted), 1.0)
        XCTAssertEqual(try XCTUnwrap(error(outcome)).kind, .interrupted)
        let shown = await value("value")
        XCTAssertEqual(shown, "7")
    }

    func testRestartGivesAFreshState() async throws {
        await expectOK("let kept = 1")
        let before = await engine.holderPIDs
        try await engine.restart()
        let gone = await run("kept")
        XCTAssertEqual(try XCTUnwrap(error(gone.outcome)).kind, .compileError)
        for pid in before { XCTAssertFalse(isAlive(pid), "holder \(pid) ended") }
    }

    func testShutdownLeavesNoProcess() async throws {
        await expectOK("let a = 1")
        await expectOK("let b = 2")
        let pids = await engine.holderPIDs
        XCTAssertEqual(pids.count, 3)
        pids.forEach { XCTAssertTrue(isAlive($0)) }
        await engine.shutdown()
        engine = nil
        // Orphaned holders are reaped by init (or this process as subreaper) a moment later.
        let deadline = Date().addingTimeInterval(2)
        while pids.contains(where: isAlive), Date() < deadline { usleep(20_000) }
        for pid in pids { XCTAssertFalse(isAlive(pid), "process \(pid) left running") }
    }

    func testTablesFiguresAndValuesAreRichOutputs() async throws {
        let cell = await run("""
            display(Table(header: ["epoch", "loss"], rows: [["1", "2.5"]]))
            FileHandle.standardError.write("careful\\n".data(using: .utf8)!)
            display(Figure(title: "f", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [[0, 1], [1, 2]])]))
            Table(header: ["a"], rows: [["b"]])
            """)
        XCTAssertEqual(cell.outcome, .ok)
        let displays = cell.events.compactMap { if case let .display(data, nil) = $0 { return data } else { return nil } }
        XCTAssertEqual(displays.count, 2, "\(cell.events)")
        XCTAssertEqual(displays.first?["text/plain"], "epoch\tloss\n1\t2.5")
        XCTAssertTrue(displays.first?["text/html"]?.contains("<th style=\"text-align: left\">epoch</th>") ?? false,
                      "text left-aligned inline, as Jupyter right-aligns cells: \(displays.first ?? [:])")
        XCTAssertTrue(displays.first?["text/html"]?.contains("<td class=\"number\">2.5</td>") ?? false)
        XCTAssertTrue(displays.last?["image/svg+xml"]?.contains("<svg") ?? false, "\(displays.last ?? [:])")
        XCTAssertTrue(cell.events.contains(.stream(name: "stderr", text: "careful\n")), "\(cell.events)")
        guard case let .result(value)? = cell.events.last else { return XCTFail("no value: \(cell.events)") }
        XCTAssertTrue(value["text/html"]?.contains("<td style=\"text-align: left\">b</td>") ?? false, "\(value)")
    }

    func testLiveFigureIsOneDisplayUpdatedInPlace() async throws {
        let cell = await run("""
            func figure(_ n: Int) -> Figure {
                Figure(xLabel: "epoch", yLabel: "loss", series: [.init(name: "loss", points: (0...n).map { [Double($0), 1 / Double($0 + 1)] })])
            }
            for epoch in 1...3 { CellRuntime.showLiveFigure(figure(epoch)); CellRuntime.progress("epoch \\(epoch)") }
            display(figure(3))
            """)
        XCTAssertEqual(cell.outcome, .ok)
        let figures = cell.events.filter {
            switch $0 {
            case let .display(_, id?), let .updateDisplay(_, id): return !id.hasSuffix("-progress")
            default: return false
            }
        }
        // One display, then updates in its place ending with the final figure. Live figures that
        // arrive together (a loaded machine) may be drawn once: only the latest is shown anyway.
        XCTAssertTrue((2...4).contains(figures.count), "one display, updates, then the final figure in its place: \(figures.count)")
        guard case .updateDisplay? = figures.last else { return XCTFail("the final figure replaces the live one") }
        guard case let .display(_, id?) = figures.first else { return XCTFail("\(figures)") }
        for case let .updateDisplay(data, updated) in figures.dropFirst() {
            XCTAssertEqual(updated, id)
            XCTAssertNotNil(data["image/svg+xml"])
        }
        let progress = cell.events.compactMap { event -> String? in
            switch event {
            case let .display(data, id?) where id.hasSuffix("-progress"): return data["text/plain"]
            case let .updateDisplay(data, id) where id.hasSuffix("-progress"): return data["text/plain"]
            default: return nil
            }
        }
        XCTAssertEqual(progress, ["epoch 1", "epoch 2", "epoch 3"], "the training's progress line, rewritten in place")
        XCTAssertEqual(stdout(cell.events), "", "progress is not printed as lines")
    }

    func testCompletionKnowsDeclaredNamesAndMembers() async throws {
        await expectOK("struct Model { var weights = 1; func predict() -> Int { weights } }\nlet myModel = Model()")
        let names = await engine.complete("print(myM", cursor: 9)
        XCTAssertEqual(names.matches, ["myModel"])
        XCTAssertEqual(names.start, 6)
        let members = await engine.complete("myModel.pre", cursor: 11)
        XCTAssertEqual(members.matches, ["predict"])
        await expectOK("let x = 1")
        let failed = await run("let neverKept = 1\nfatalError()")
        XCTAssertNotEqual(failed.outcome, .ok)
        let none = await engine.complete("never", cursor: 5)
        XCTAssertEqual(none.matches, [], "a failed cell's names are not offered")
    }

    /// A cell whose Dispatch use breaks Dispatch in the forks later cells run in says so, once:
    /// a later cell's queued work would otherwise never run, silently, or its wait hang.
    func testACellThatBreaksDispatchForLaterCellsSaysSoOnce() async throws {
        let warning = "leaves its thread pool unusable in forked copies"
        let plain = await run("import Dispatch\nprint(1)")
        XCTAssertFalse(stderr(plain.events).contains(warning), stderr(plain.events))
        let breaking = await run("DispatchQueue.concurrentPerform(iterations: 4) { _ in }")
        XCTAssertEqual(breaking.outcome, .ok)
        XCTAssertTrue(stderr(breaking.events).contains(warning), stderr(breaking.events))
        for code in ["print(2)", "DispatchQueue.concurrentPerform(iterations: 4) { _ in }"] {
            let later = await run(code)
            XCTAssertFalse(stderr(later.events).contains(warning), "said once: \(code)")
        }
    }

    /// A cell reading standard input finds it empty at once: the kernel has no `input()`, and
    /// a cell waiting for a line no one can type would hang.
    func testReadLineFindsNoInput() async throws {
        let ran = await run("print(readLine() ?? \"no input\")")
        XCTAssertEqual(ran.outcome, .ok)
        XCTAssertEqual(stdout(ran.events), "no input\n")
    }

    /// Jupyter's inspector (Shift+Tab): a cell's declaration with its doc comment, the
    /// library's API, nothing of a failed cell, and nothing of the cells before a restart.
    func testInspectShowsDeclarationsOfTheCellsThatRanAndOfTheLibrary() async throws {
        await expectOK("/// Adds one.\nfunc inc(_ x: Int) -> Int { x + 1 }")
        let cell = await engine.inspect("print(inc(", cursor: 10)
        XCTAssertTrue(cell?.hasPrefix("func inc(_ x: Int) -> Int    (cell ") ?? false, cell ?? "nil")
        XCTAssertTrue(cell?.contains("\nAdds one.") ?? false, cell ?? "nil")
        let trainer = await engine.inspect("Trainer", cursor: 7)
        let library = try XCTUnwrap(trainer)
        XCTAssertTrue(library.contains("public init(maxEpochs: Int"), library)
        XCTAssertTrue(library.contains("(D2LSwift, "), library)
        let failed = await run("func neverKept() {}\nfatalError()")
        XCTAssertNotEqual(failed.outcome, .ok)
        let neverKept = await engine.inspect("neverKept", cursor: 9)
        XCTAssertNil(neverKept, "a failed cell's declarations are not shown")
        try await engine.restart()
        let afterRestart = await engine.inspect("inc", cursor: 3)
        XCTAssertNil(afterRestart, "a restart forgets every cell")
    }

    /// Not asserted: how long a one-line cell takes after a chain of cells, and where it goes.
    func testBenchmarkOneLineCell() async throws {
        for index in 0..<5 { await expectOK("let warmUp\(index) = \(index)") }
        var timings: [KernelEngine.Timings] = []
        for index in 0..<15 {
            await expectOK("let value\(index) = \(index) + 1")
            let last = await engine.lastTimings
            timings.append(try XCTUnwrap(last))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let total = median(timings.map(\.total)), compile = median(timings.map(\.compile))
        let run = median(timings.compactMap(\.run)), generate = median(timings.map(\.generate))
        print(String(format: "kernel one-line cell, median of %d: total %.3f s = generate %.3f + compile %.3f + fork/dlopen/run %.4f + rest %.3f",
                     timings.count, total, generate, compile, run, total - generate - compile - run))
    }

    private func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie is gone but not yet reaped.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }
}

/// Events collected from the engine's reader threads.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [KernelEvent] = []
    func append(_ event: KernelEvent) { lock.withLock { stored.append(event) } }
    var events: [KernelEvent] { lock.withLock { stored } }
}
