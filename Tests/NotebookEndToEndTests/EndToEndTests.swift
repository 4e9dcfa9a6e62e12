import XCTest
@testable import Notebook
import ProjectPaths

/// The whole command on small fixture chapters: what the page says, which line errors name,
/// and the exit status.
final class EndToEndTests: XCTestCase {
    private var output: URL!

    override func setUp() { output = Project.temporaryDirectory() }

    private func run(_ fixture: String, _ extra: [String] = []) throws -> (status: Int32, html: String, standardError: String) {
        let result = try runD2L([Project.fixtures.appendingPathComponent(fixture).path, "--output", output.path] + extra)
        let name = (fixture as NSString).deletingPathExtension
        let html = (try? String(contentsOf: output.appendingPathComponent("\(name).html"), encoding: .utf8)) ?? ""
        return (result.status, html, result.standardError)
    }

    private func section(_ id: String, in html: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\">"),
              let end = html[start.upperBound...].range(of: "</section>") else { return "" }
        return String(html[start.upperBound..<end.lowerBound])
    }

    func testGoodChapterCapturesEachCell() throws {
        let (status, html, _) = try run("good.md")
        XCTAssertEqual(status, 0)
        XCTAssertTrue(section("first", in: html).contains("out &lt;b&gt;[2, 2]&lt;/b&gt;"))
        let second = section("second", in: html)
        XCTAssertTrue(second.contains("class=\"output stderr\">to stderr"))
        XCTAssertTrue(second.contains("✓ shape [2, 2]"))
        XCTAssertTrue(second.contains("class=\"output stdout\">second"))
        XCTAssertFalse(section("first", in: html).contains("second"))
        let notebook = try Data(contentsOf: output.appendingPathComponent("good.ipynb"))
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: notebook))
    }

    /// Chapter programs link mimalloc ahead of the C library, so that it serves their
    /// allocations: with two training threads glibc's allocator cost 2-3% of an epoch more.
    func testChapterProgramsAllocateWithMimalloc() throws {
        let (status, html, _) = try run("allocator.md")
        XCTAssertEqual(status, 0)
        let cell = section("allocator", in: html)
        XCTAssertTrue(cell.contains("malloc is mimalloc"), cell)
    }

    func testCompileErrorsPointAtTheirCellsAndEarlierCellsStillRun() throws {
        let (status, html, _) = try run("compile-error.md")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(section("fine", in: html).contains("before the error"))
        let broken = section("broken", in: html)
        XCTAssertTrue(broken.contains("compile-error.md:8:14: error: cannot convert value of type"), broken)
        XCTAssertTrue(section("also-broken", in: html).contains("compile-error.md:12:1: error: cannot find &#39;undefinedFunction&#39;"))
        XCTAssertTrue(section("after", in: html).contains("not run"))
    }

    func testRuntimeTrapNamesTheMarkdownLine() throws {
        let (status, html, standardError) = try run("trap.md")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(section("fine", in: html).contains("ran"))
        let trap = section("trap", in: html)
        XCTAssertTrue(trap.contains("trap.md:10: Fatal error: Index out of range"), trap)
        XCTAssertTrue(section("after", in: html).contains("not run: an earlier cell failed"))
        XCTAssertTrue(standardError.contains("FAILED trap"))
    }

    func testFailedChecksAndExpectedFailures() throws {
        let (status, html, _) = try run("failing-check.md")
        XCTAssertEqual(status, 1)
        let expected = section("expected", in: html)
        XCTAssertTrue(expected.contains("failed as expected"))
        XCTAssertTrue(expected.contains("failing-check.md:8: tensor&#39;s shape [2, 3] != expected shape [3, 2]"), expected)
        let stillRuns = section("still-runs", in: html)
        XCTAssertTrue(stillRuns.contains("still runs"))
        XCTAssertTrue(stillRuns.contains("failing-check.md:13: tensor&#39;s shape [2, 3] != expected shape [9]"), stillRuns)
        XCTAssertTrue(section("after", in: html).contains("not run"))
    }

    func testUsageProblemsExitWithTwoAndKeepThePreviousPage() throws {
        let good = try run("good.md")
        XCTAssertEqual(good.status, 0)
        let bad = try run("bad/unknown-tag.md")
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.standardError.contains("unknown-tag.md:3: error: unknown cell tag '.sav'"), bad.standardError)
        let missing = try runD2L([output.appendingPathComponent("nope.md").path, "--output", output.path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.standardError.contains("nope.md: error: no such file"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("good.html").path))
        let misuse = try runD2L(["chapter.md", "--no-such-flag"])
        XCTAssertEqual(misuse.status, 2)
        XCTAssertTrue(misuse.standardError.contains("Unknown option '--no-such-flag'"), misuse.standardError)
        XCTAssertEqual(try runD2L([]).status, 2, "missing chapter argument")
        XCTAssertEqual(try runD2L(["--help"]).status, 0)
    }

    func testExercisesRunOnlyWhenAskedAndOneFailureStopsNoOther() throws {
        let plain = try run("exercises.md")
        XCTAssertEqual(plain.status, 0)
        XCTAssertTrue(section("ex-crash", in: plain.html).contains("run it with --exercise ex-crash"))
        XCTAssertTrue(section("after", in: plain.html).contains("after the exercises"))

        let all = try run("exercises.md", ["--exercises"])
        XCTAssertEqual(all.status, 1, "a failed exercise is a failed cell")
        XCTAssertTrue(section("ex-crash", in: all.html).contains("exercises.md:9: Fatal error: Index out of range"))
        XCTAssertTrue(section("ex-fine", in: all.html).contains("fine uses 42"))
        XCTAssertTrue(section("after", in: all.html).contains("after the exercises"))

        let one = try run("exercises.md", ["--exercise", "ex-fine"])
        XCTAssertEqual(one.status, 0, "an exercise's earlier failure is shown, not counted again")
        XCTAssertTrue(section("ex-fine", in: one.html).contains("fine uses 42"))
        let kept = section("ex-crash", in: one.html)
        XCTAssertTrue(kept.contains("last run 20"), kept)
        XCTAssertTrue(kept.contains("exercises.md:9: Fatal error: Index out of range"), "its last run's outputs")
        XCTAssertFalse(kept.contains("stale"))
    }

    func testAPlainRunShowsEachExercisesLastResultAndWhetherItIsStale() throws {
        let chapter = output.appendingPathComponent("exercises.md")
        try FileManager.default.copyItem(at: Project.fixtures.appendingPathComponent("exercises.md"), to: chapter)
        func page() throws -> (status: Int32, html: String) {
            let result = try runD2L([chapter.path, "--output", output.path])
            return (result.status, try String(contentsOf: output.appendingPathComponent("exercises.html"), encoding: .utf8))
        }
        XCTAssertEqual(try runD2L([chapter.path, "--output", output.path, "--exercise", "ex-fine"]).status, 0)
        let plain = try page()
        XCTAssertEqual(plain.status, 0)
        let fine = section("ex-fine", in: plain.html)
        XCTAssertTrue(fine.contains("fine uses 42") && fine.contains("last run 20"), fine)
        XCTAssertFalse(fine.contains("stale"))
        XCTAssertTrue(section("ex-crash", in: plain.html).contains("run it with --exercise ex-crash"), "never ran")
        let notebook = try String(contentsOf: output.appendingPathComponent("exercises.ipynb"), encoding: .utf8)
        XCTAssertTrue(notebook.contains("fine uses 42") && notebook.contains("d2l_previous_run"))

        // A kept result is shown only beside the source it ran (`serve` keeps runs of unsaved
        // edits too); a main cell's edit makes it stale.
        let text = try String(contentsOf: chapter, encoding: .utf8)
        try text.replacingOccurrences(of: "fine uses \\(base + 2)", with: "fine uses \\(base + 3)")
            .write(to: chapter, atomically: true, encoding: .utf8)
        let edited = section("ex-fine", in: try page().html)
        XCTAssertFalse(edited.contains("fine uses 42") || edited.contains("last run"), edited)
        XCTAssertTrue(edited.contains("run it with --exercise ex-fine"), edited)
        try text.replacingOccurrences(of: "let base = 40", with: "let base = 41").write(to: chapter, atomically: true, encoding: .utf8)
        XCTAssertTrue(section("ex-fine", in: try page().html).contains("stale: last run"))
        try text.write(to: chapter, atomically: true, encoding: .utf8)
        XCTAssertFalse(section("ex-fine", in: try page().html).contains("stale"), "back as it ran")
    }

    func testEndlessCellIsStoppedByTheCellTimeLimit() throws {
        let start = Date()
        let (status, html, _) = try run("endless.md", ["--cell-timeout", "2"])
        XCTAssertEqual(status, 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        XCTAssertTrue(section("spin", in: html).contains("stopped after the time limit of 2 s"), section("spin", in: html))
        XCTAssertTrue(section("after", in: html).contains("not run"))
    }
}
