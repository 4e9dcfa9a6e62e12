import XCTest
@testable import Notebook
import ProjectPaths

/// A chapter outside this checkout builds on the library's saved language model as d2l's later
/// sections do (Fixtures/extend-gru.md), and saves its own cells with `save-library --into`.
final class ExtendingTheLibraryTests: XCTestCase {
    /// Runs the built d2l-run with `arguments` from `folder`.
    private func d2lRun(in folder: URL, _ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run("/bin/sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", folder.path,
                                                    Project.d2lRun.path] + arguments)
    }

    /// An author's folder holding a copy of the fixture chapter.
    private func authorsFolder() throws -> URL {
        let folder = Project.temporaryDirectory()
        try FileManager.default.copyItem(at: Project.fixtures.appendingPathComponent("extend-gru.md"),
                                         to: folder.appendingPathComponent("extend-gru.md"))
        return folder
    }

    /// Its GRU-like layer plugs into RNNLMScratch, a subclass overrides initParams and
    /// outputLayer, and the trainer steps the chapter's own optimiser.
    func testAChapterSubclassesTheSavedModelWithItsOwnLayerAndOptimizer() throws {
        let folder = try authorsFolder()
        let result = try d2lRun(in: folder, ["extend-gru.md", "--output", "out"])
        let html = (try? String(contentsOf: folder.appendingPathComponent("out/extend-gru.html"), encoding: .utf8)) ?? ""
        XCTAssertEqual(result.status, 0, result.standardError + html)
        XCTAssertTrue(html.contains("momentum steps: 120"), "30 epochs of 4 batches, each one step of the chapter's optimiser")
        XCTAssertTrue(html.contains("output weight W_hq made: false"), "the overriding initParams ran instead")
        XCTAssertTrue(html.contains("prediction: abcdabcd"), "the GRU-like model learnt the cycle")
        // The output, after the cell's listing, which has the same words.
        let line = try XCTUnwrap(html.range(of: "train perplexity: ", options: .backwards))
        let numbers = html[line.upperBound...].prefix(20).split(whereSeparator: { !"0123456789.".contains($0) })
            .compactMap { Double($0) }
        XCTAssertEqual(numbers.count, 2)
        if numbers.count == 2 { XCTAssertLessThan(numbers[1], numbers[0] / 2) }
    }

    /// Outside a checkout, `--into` chooses where the chapter's saved cells go, in a file named
    /// after the chapter.
    func testSaveLibraryIntoAnAuthorsFolder() throws {
        let folder = try authorsFolder()
        let result = try d2lRun(in: folder, ["save-library", "--into", "Library", "extend-gru.md"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let saved = try String(contentsOf: folder.appendingPathComponent("Library/ExtendGRU.swift"), encoding: .utf8)
        let chapter = try ChapterParser.parse(fileAt: folder.appendingPathComponent("extend-gru.md").path)
        XCTAssertEqual(saved, LibraryExtraction.librarySource(of: chapter, sourcePath: "extend-gru.md"))
        XCTAssertTrue(saved.contains("public final class TinyGRU: Module, RecurrentLayer"))
        XCTAssertFalse(saved.contains("class ScaledOutputLM"), "only .save cells are saved")
    }

    /// Outside a checkout and without `--into`: one line that says what to do, status 2, and
    /// nothing written.
    func testSaveLibraryOutsideACheckoutSaysWhatToDo() throws {
        let folder = try authorsFolder()
        let result = try d2lRun(in: folder, ["save-library", "extend-gru.md"])
        XCTAssertEqual(result.status, 2)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardError)
        XCTAssertTrue(result.standardError.hasPrefix("d2l-run: "), result.standardError)
        XCTAssertTrue(result.standardError.contains("not a d2l-swift checkout"), result.standardError)
        XCTAssertTrue(result.standardError.contains("--into DIR"), result.standardError)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["extend-gru.md"])
    }
}
