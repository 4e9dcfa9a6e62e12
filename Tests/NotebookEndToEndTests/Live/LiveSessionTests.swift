import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// The live session on a small chapter: exercises run in forks of the snapshot, which nothing
/// they do can change; main-cell edits replace it; results are kept.
final class LiveSessionTests: XCTestCase {
    private var directory: URL!
    private var chapterPath: String!
    private var session: LiveSession!

    override func setUp() async throws {
        directory = Project.temporaryDirectory()
        chapterPath = directory.appendingPathComponent("live.md").path
        try FileManager.default.copyItem(atPath: Project.fixtures.appendingPathComponent("live.md").path, toPath: chapterPath)
        session = try makeSession()
        await session.start()
        let settled = await session.waitUntilSettled()
        XCTAssertEqual(settled, .ready)
    }

    override func tearDown() async throws {
        await session?.shutdown()
    }

    private func makeSession() throws -> LiveSession {
        let toolchain = try Toolchain.locate(executablePath: Project.d2lRun.path)
        return try LiveSession(chapterAt: chapterPath, configuration: LiveSession.Configuration(
            toolchain: toolchain, settings: RunSettings(cellTimeLimit: 60), outputDirectory: directory.appendingPathComponent("Output")))
    }

    private func source(_ id: String) async -> String {
        await session.chapterState().cells.first { $0.id == id }!.source
    }

    private func text(_ answer: LiveRunAnswer) -> String {
        answer.outputs.compactMap(\.text).joined()
    }

    func testMainCellsRanAndExerciseWaits() async throws {
        let state = await session.chapterState()
        XCTAssertEqual(state.snapshot, .ready)
        let setup = try XCTUnwrap(state.cells.first { $0.id == "setup" })
        XCTAssertEqual(setup.status, .ran)
        XCTAssertEqual(setup.outputs.first?.text, "main value 42\n")
        XCTAssertEqual(state.cells.first { $0.id == "ex-extend" }?.status, .notRun)
        XCTAssertEqual(state.cells.first { $0.id == "ex-extend" }?.kind, .exercise)
    }

    func testEditedExerciseWithAnExtensionRunsOnTheSnapshotAndLeavesItUnchanged() async throws {
        let edited = await source("ex-extend").replacingOccurrences(of: "value * 2", with: "value * 3")
        let first = try await session.run(cellID: "ex-extend", source: edited)
        XCTAssertEqual(first.status, .ran, "\(first.outputs)")
        XCTAssertEqual(text(first), "doubled 426 value 142\n", "the extension and the main cell's state")
        let second = try await session.run(cellID: "ex-extend", source: edited)
        XCTAssertEqual(text(second), "doubled 426 value 142\n", "the first run's change did not reach the snapshot")
        let random1 = try await session.run(cellID: "ex-random", source: await source("ex-random"))
        let random2 = try await session.run(cellID: "ex-random", source: await source("ex-random"))
        XCTAssertEqual(text(random1), text(random2), "the random generator's state is the snapshot's")
        XCTAssertTrue(text(random1).hasPrefix("random 0."), text(random1))
    }

    /// A `.fails` cell's names stay its own: an exercise compiled against the snapshot does
    /// not import them (it did, and every exercise failed to compile).
    func testAFailsCellsDeclarationsDoNotReachExercises() async throws {
        let failsCellStatus = await session.chapterState().cells.first { $0.id == "fails-declares" }?.status
        XCTAssertEqual(failsCellStatus, .failedAsExpected, "as the static page says it")
        let answer = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        XCTAssertEqual(answer.status, .ran, "\(answer.outputs)")
    }

    func testCrashingExerciseNamesItsLineAndLeavesTheSnapshotAlive() async throws {
        let crash = try await session.run(cellID: "ex-crash", source: await source("ex-crash"))
        XCTAssertEqual(crash.status, .failed)
        let error = try XCTUnwrap(crash.outputs.first { $0.type == "error" })
        XCTAssertEqual(error.line, 24, error.text ?? "")
        XCTAssertTrue(error.text?.contains("Index out of range") ?? false, error.text ?? "")
        let after = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        XCTAssertEqual(text(after), "doubled 284 value 142\n")
        let snapshot = await session.chapterState().snapshot
        XCTAssertEqual(snapshot, .ready)
    }

    /// Runs of one cell posted at once each answer with their own run's status and output,
    /// not with the state of another run queued meanwhile.
    func testSimultaneousRunsEachAnswerWithTheirOwnStatus() async throws {
        let session = self.session!
        let answers = try await withThrowingTaskGroup(of: (Int, LiveRunAnswer).self) { group in
            for number in 0..<8 {
                // Every third run fails to compile; the others print their number.
                let source = number % 3 == 0 ? "let broken: Int = \"\(number)\"\n" : "print(\"run \(number)\")\n"
                group.addTask { (number, try await session.run(cellID: "ex-extend", source: source)) }
            }
            return try await group.reduce(into: [Int: LiveRunAnswer]()) { $0[$1.0] = $1.1 }
        }
        for (number, answer) in answers {
            if number % 3 == 0 {
                XCTAssertEqual(answer.status, .failed, "run \(number)")
            } else {
                XCTAssertEqual(answer.status, .ran, "run \(number): \(answer.outputs)")
                XCTAssertEqual(text(answer), "run \(number)\n")
            }
        }
    }

    /// An exercise that kills the snapshot's own process costs that run only: the session runs
    /// the main cells again by itself and the next exercise finds the state as it was.
    func testAnExerciseThatKillsTheSnapshotIsRecoveredFrom() async throws {
        let killer = try await session.run(cellID: "ex-crash", source: "kill(getppid(), SIGKILL)\nsleep(5)\n")
        XCTAssertEqual(killer.status, .failed)
        XCTAssertTrue(killer.outputs.contains { $0.type == "error" && $0.text?.contains("main cells run again") == true }, "\(killer.outputs)")
        let after = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        XCTAssertEqual(after.status, .ran, "\(after.outputs)")
        XCTAssertEqual(text(after), "doubled 284 value 142\n")
        let snapshot = await session.chapterState().snapshot
        XCTAssertEqual(snapshot, .ready)
    }

    /// An exercise that ends its own process, even with status 0, failed: it did not run to its
    /// end (serve called it "ran" while the kernel said it failed, before they shared a host).
    func testAnExerciseThatExitsFailsAndLeavesTheSnapshotAlive() async throws {
        let cellLine = await session.cellState(id: "ex-crash").line
        for (source, expected) in [("print(\"bye\")\nexit(0)\n", "ended its own process (exit status 0)"),
                                   ("exit(3)\n", "exited with status 3")] {
            let exited = try await session.run(cellID: "ex-crash", source: source)
            XCTAssertEqual(exited.status, .failed, source)
            let error = try XCTUnwrap(exited.outputs.first { $0.type == "error" }, source)
            XCTAssertTrue(error.text?.contains(expected) ?? false, "\(source): \(error.text ?? "")")
            XCTAssertEqual(error.line, cellLine, "at the cell's line")
        }
        let after = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        XCTAssertEqual(text(after), "doubled 284 value 142\n")
        let snapshot = await session.chapterState().snapshot
        XCTAssertEqual(snapshot, .ready)
    }

    /// Main cells that leave Dispatch unusable in forks (concurrentPerform does): every
    /// exercise, a fork of their state, says why its Dispatch work would never run. The
    /// fixture's own exercises say nothing of the kind (the other tests read their exact text).
    func testExercisesOfASnapshotThatBrokeDispatchSayWhy() async throws {
        let warning = "leaves its thread pool unusable in forked copies"
        let plain = try await session.run(cellID: "ex-extend", source: "print(\"plain\")\n")
        XCTAssertEqual(text(plain), "plain\n")
        let path = directory.appendingPathComponent("dispatch.md").path
        try """
            # Dispatch in a main cell

            ```swift {#setup}
            import Dispatch
            DispatchQueue.concurrentPerform(iterations: 4) { _ in }
            ```

            ```swift {#ex-dispatch .exercise}
            print("exercise")
            ```
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let toolchain = try Toolchain.locate(executablePath: Project.d2lRun.path)
        let broken = try LiveSession(chapterAt: path, configuration: LiveSession.Configuration(
            toolchain: toolchain, settings: RunSettings(cellTimeLimit: 60), outputDirectory: directory.appendingPathComponent("Output")))
        await broken.start()
        let settled = await broken.waitUntilSettled()
        XCTAssertEqual(settled, .ready)
        let answer = try await broken.run(cellID: "ex-dispatch", source: "print(\"exercise\")\n")
        await broken.shutdown()
        XCTAssertEqual(answer.status, .ran, "a warning, not a failure")
        XCTAssertTrue(text(answer).contains(warning), text(answer))
        XCTAssertTrue(text(answer).contains("exercise\n"), text(answer))
    }

    func testCompileErrorShowsAtItsMarkdownLine() async throws {
        let broken = "let a = 1\nlet b: String = a\n"
        let answer = try await session.run(cellID: "ex-extend", source: broken)
        XCTAssertEqual(answer.status, .failed)
        let error = try XCTUnwrap(answer.outputs.first { $0.type == "error" })
        XCTAssertEqual(error.line, 16, "the second line of the cell, whose body starts on line 15")
        XCTAssertTrue(error.text?.contains("cannot convert value of type 'Int'") ?? false, error.text ?? "")
    }

    func testInterruptStopsTheCellAndKeepsTheSnapshot() async throws {
        let session = self.session!
        let running = Task { try await session.run(cellID: "ex-sleep", source: "print(\"sleeping\")\nsleep(600)") }
        let deadline = Date().addingTimeInterval(30)
        while await !session.chapterState().cells.first(where: { $0.id == "ex-sleep" })!.outputs.contains(where: { $0.text == "sleeping\n" }) {
            XCTAssertLessThan(Date(), deadline, "the cell never started")
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let start = Date()
        let interrupted = await session.interrupt(cellID: "ex-sleep")
        XCTAssertTrue(interrupted)
        let answer = try await running.value
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(answer.status, .failed)
        XCTAssertTrue(answer.outputs.contains { $0.type == "error" && ($0.text ?? "").contains("interrupted") })
        let interruptedAgain = await session.interrupt(cellID: "ex-sleep")
        XCTAssertFalse(interruptedAgain, "nothing runs any more")
        let after = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        XCTAssertEqual(text(after), "doubled 284 value 142\n")
    }

    func testEditingAMainCellMarksLaterCellsStaleAndReplacesTheSnapshot() async throws {
        _ = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        let exerciseStatus = await session.cellState(id: "ex-extend").status
        XCTAssertEqual(exerciseStatus, .ran)
        let edited = await source("setup").replacingOccurrences(of: "+= 1", with: "+= 2")
        let answer = try await session.run(cellID: "setup", source: edited)
        XCTAssertEqual(answer.status, .ran)
        XCTAssertEqual(text(answer), "main value 43\n")
        let statusAfterTheEdit = await session.cellState(id: "ex-extend").status
        XCTAssertEqual(statusAfterTheEdit, .stale, "it ran after the old main cells")
        let rerun = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        XCTAssertEqual(text(rerun), "doubled 286 value 143\n", "the new snapshot")
        let statusAfterTheRerun = await session.cellState(id: "ex-extend").status
        XCTAssertEqual(statusAfterTheRerun, .ran)
    }

    func testExerciseResultsAreKeptForTheNextSessionAndThePage() async throws {
        _ = try await session.run(cellID: "ex-extend", source: await source("ex-extend"))
        await session.shutdown()
        session = try makeSession()
        let kept = await session.cellState(id: "ex-extend")
        XCTAssertEqual(kept.status, .ran)
        XCTAssertEqual(kept.outputs.first?.text, "doubled 284 value 142\n")
        XCTAssertNotNil(kept.ranAt)
        let pageShowsTheResult = await session.page().html.contains("doubled 284 value 142")
        XCTAssertTrue(pageShowsTheResult)
    }

    func testSaveWritesTheCellAndRefusesAChangedFile() async throws {
        let version = await session.chapterState().version
        let newVersion = try await session.save(cellID: "ex-extend", source: "print(\"saved\")", version: version)
        XCTAssertNotEqual(newVersion, version)
        XCTAssertEqual(try ChapterParser.parse(fileAt: chapterPath).cells.first { $0.id == "ex-extend" }?.source, "print(\"saved\")")
        let savedVersion = await session.chapterState().version
        XCTAssertEqual(savedVersion, newVersion)
        let before = try Data(contentsOf: URL(fileURLWithPath: chapterPath))
        do {
            _ = try await session.save(cellID: "ex-extend", source: "print(\"lost\")", version: version)
            XCTFail("saved over a changed file")
        } catch {
            guard case LiveSessionError.versionConflict = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: chapterPath)), before)
        let unknown = try? await session.save(cellID: "nope", source: "", version: newVersion)
        XCTAssertNil(unknown, "an unknown cell is refused")
    }

    func testEventsStreamTheRunningCellsFigureAndStates() async throws {
        await session.shutdown()
        session = try makeSession()
        let events = session.events()
        await session.start()
        var figures = 0, sawTraining = false, sawReady = false, sawFigureCellRunning = false
        for await event in events {
            switch event {
            case let .figure(id, svg):
                XCTAssertEqual(id, "figure")
                XCTAssertTrue(svg.contains("<svg"))
                figures += 1
            case .snapshot(.training): sawTraining = true
            case let .cell(state) where state.id == "figure" && state.status == .running: sawFigureCellRunning = true
            case .snapshot(.ready): sawReady = true
            default: break
            }
            if sawReady { break }
        }
        XCTAssertTrue(sawTraining && sawFigureCellRunning && sawReady)
        XCTAssertGreaterThanOrEqual(figures, 2, "the figure is redrawn while the cell runs")
    }

    func testStateOfARunningCellHoldsItsProgressAndFigureSoFar() async throws {
        await session.shutdown()
        session = try makeSession()
        let events = session.events()
        await session.start()
        var sawProgress = false, sawFigure = false
        for await event in events {
            switch event {
            case .progress("figure", _): sawProgress = true
            case .figure("figure", _): sawFigure = true
            default: break
            }
            if sawProgress && sawFigure { break }
        }
        // What a page loaded now is given: the run so far, not only what comes next.
        let figureCell = await session.chapterState().cells.first { $0.id == "figure" }
        let running = try XCTUnwrap(figureCell)
        XCTAssertEqual(running.status, .running)
        XCTAssertTrue(running.progress?.hasPrefix("epoch ") == true, "progress \(running.progress ?? "nil")")
        XCTAssertTrue(running.liveFigure?.contains("<svg") == true)
        let started = try XCTUnwrap(running.startedAt)
        XCTAssertLessThanOrEqual(started, Date().timeIntervalSince1970)
        XCTAssertGreaterThan(started, Date().timeIntervalSince1970 - 60)

        let settled = await session.waitUntilSettled()
        XCTAssertEqual(settled, .ready)
        let settledFigureCell = await session.chapterState().cells.first { $0.id == "figure" }
        let ran = try XCTUnwrap(settledFigureCell)
        XCTAssertEqual(ran.status, .ran)
        XCTAssertNil(ran.progress)
        XCTAssertNil(ran.liveFigure)
        XCTAssertNil(ran.startedAt)
    }

    func testUnknownCellIsRefused() async throws {
        do {
            _ = try await session.run(cellID: "nope", source: "")
            XCTFail("ran an unknown cell")
        } catch let error as LiveSessionError {
            XCTAssertEqual(error, .unknownCell("nope"))
        }
    }
}
