import CellProtocol
import Foundation
import XCTest
@testable import Notebook

/// The live notebook's state without any process: statuses, staleness, unsaved sources and
/// what a run answers, built by hand as the engine would change it.
final class NotebookStateTests: XCTestCase {
    private let chapter = Chapter(path: "Chapters/state.md", blocks: [
        .prose(html: "<h1>A chapter</h1>", markdown: "# A chapter\n", line: 1),
        .cell(Cell(index: 0, id: "data", source: "let n = 3", line: 4)),
        .cell(Cell(index: 1, id: "train", source: "print(n)", line: 8)),
        .cell(Cell(index: 2, id: "ex", source: "print(n + 1)", line: 12, tags: CellTags(exercise: true))),
        .cell(Cell(index: 3, id: "listing", source: "let shown = 1", line: 16, tags: CellTags(noRun: true))),
    ])

    private func ranMainCells() -> NotebookState {
        var state = NotebookState(chapter: chapter, environmentKey: "env")
        let keys = state.workingKeys
        state.finish("data", result: CellResult(index: 0, status: .ok), key: keys["data"])
        state.finish("train", result: CellResult(index: 1, status: .ok, outputs: [.standardOutput("3\n")], seconds: 1.5), key: keys["train"])
        state.snapshot = .ready
        return state
    }

    func testCellsStartNotRunAndListingsAreShownOnly() {
        let state = NotebookState(chapter: chapter, environmentKey: "env")
        let chapterState = state.chapterState(version: "v1", path: chapter.path)
        XCTAssertEqual(chapterState.snapshot, .starting)
        XCTAssertEqual(chapterState.cells.map(\.status), [.notRun, .notRun, .notRun, .skipped])
        XCTAssertEqual(chapterState.cells.map(\.kind), [.main, .main, .exercise, .listing])
        XCTAssertEqual(chapterState.cells.allSatisfy { $0.html.isEmpty }, true, "HTML is the server's to add")
    }

    func testEditingAMainCellMakesItAndEveryLaterResultStale() throws {
        var state = ranMainCells()
        let exerciseKey = CellKeys.exerciseKey(mainKey: CellKeys.mainKey(for: chapter, environment: "env"), id: "ex", source: "print(n + 1)")
        state.finish("ex", result: CellResult(index: 2, status: .ok, outputs: [.standardOutput("4\n")]), key: exerciseKey)
        XCTAssertEqual(state.chapterState(version: "v1", path: "").cells.map(\.status), [.ran, .ran, .ran, .skipped])

        _ = try state.queueRun(of: "data", source: "let n = 4")
        XCTAssertEqual(state.cellState(id: "data").status, .queued)
        XCTAssertEqual(state.cellState(id: "train").status, .stale)
        XCTAssertEqual(state.cellState(id: "train").note, "stale: this cell or a main cell before it changed since it ran")
        XCTAssertEqual(state.cellState(id: "ex").status, .stale, "an exercise ran against the old main cells")
        XCTAssertEqual(state.workingChapter.cells[0].source, "let n = 4")
        XCTAssertEqual(state.chapter.cells[0].source, "let n = 3", "the file's source until it is saved")
        XCTAssertEqual(state.cellState(id: "data").source, "let n = 3", "the page keeps unsaved edits itself")
    }

    func testEditingAnExerciseLeavesTheMainCellsFresh() throws {
        var state = ranMainCells()
        _ = try state.queueRun(of: "ex", source: "print(n * 2)")
        XCTAssertEqual(state.cellState(id: "train").status, .ran)
        XCTAssertEqual(state.cellState(id: "ex").status, .queued)
        state.markRunning("ex")
        XCTAssertEqual(state.cellState(id: "ex").status, .running)
        XCTAssertNotNil(state.cellState(id: "ex").startedAt)
    }

    func testARunShowsItsOutputsProgressAndFigureSoFarThenItsEnd() throws {
        var state = ranMainCells()
        _ = try state.queueRun(of: "train", source: "print(n)")
        XCTAssertTrue(state.showRunning("train", result: CellResult(index: 1, status: .ok, outputs: [.standardOutput("ep")]), startedAt: 100))
        XCTAssertFalse(state.showRunning("train", result: CellResult(index: 1, status: .ok, outputs: [.standardOutput("epoch")]), startedAt: 100))
        state.showProgress("train", line: "epoch 1, perplexity 20.1")
        state.showLiveFigure("train", svg: "<svg/>")
        let running = state.cellState(id: "train")
        XCTAssertEqual(running.status, .running)
        XCTAssertEqual(running.outputs, [LiveOutput(type: "stdout", text: "epoch")])
        XCTAssertEqual(running.progress, "epoch 1, perplexity 20.1")
        XCTAssertEqual(running.liveFigure, "<svg/>")
        XCTAssertEqual(running.startedAt, 100)

        state.finish("train", result: CellResult(index: 1, status: .failed, outputs: [.error(CellError(message: "boom", file: "f", line: 9))],
                                                 seconds: 2), key: state.workingKeys["train"])
        let ended = state.cellState(id: "train")
        XCTAssertEqual(ended.status, .failed)
        XCTAssertNil(ended.progress, "progress is shown only while a cell runs")
        let answer = state.answer(for: "train", since: Date())
        XCTAssertEqual(answer.status, .failed)
        XCTAssertEqual(answer.seconds, 2)
        XCTAssertEqual(answer.outputs.first?.text, "f:9: boom")
    }

    func testATeachingExampleThatFailsSaysSo() {
        var state = ranMainCells()
        state.finish("train", result: CellResult(index: 1, status: .failedAsExpected), key: state.workingKeys["train"])
        XCTAssertEqual(state.cellState(id: "train").status, .failedAsExpected, "not 'ran': the page shows it failed, as it should")
        XCTAssertEqual(state.answer(for: "train", since: Date()).status, .failedAsExpected)
    }

    func testRefusesUnknownCellsAndListings() {
        var state = ranMainCells()
        XCTAssertThrowsError(try state.queueRun(of: "nope", source: "")) { XCTAssertEqual($0 as? LiveSessionError, .unknownCell("nope")) }
        XCTAssertThrowsError(try state.queueRun(of: "listing", source: "")) { XCTAssertEqual($0 as? LiveSessionError, .notRunnable("listing")) }
        XCTAssertNil(state.working["listing"])
    }

    func testReloadingKeepsOrDropsUnsavedSources() throws {
        var state = ranMainCells()
        _ = try state.queueRun(of: "ex", source: "print(1)")
        _ = try state.queueRun(of: "train", source: "print(2)")
        var saved = chapter
        saved.blocks[3] = .cell(Cell(index: 2, id: "ex", source: "print(1)", line: 12, tags: CellTags(exercise: true)))
        state.reload(saved, savedID: "ex")
        XCTAssertEqual(state.working, ["train": "print(2)"], "a save makes one cell's source the file's")
        state.reload(chapter, savedID: nil)
        XCTAssertEqual(state.working, [:], "an edit made elsewhere replaces every unsaved source")
    }

    func testThePageWeavesEachCellsLastResult() {
        let page = ranMainCells().page(title: "state", summary: "d2l-run serve")
        XCTAssertEqual(page.title, "A chapter")
        XCTAssertEqual(page.results.cells.map(\.status), [.ok, .ok, .notRun, .skipped])
        XCTAssertTrue(page.html.contains("<pre class=\"output stdout\">3\n</pre>"), page.html)
    }
}
