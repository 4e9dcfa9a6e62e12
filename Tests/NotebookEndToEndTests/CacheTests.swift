import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// The cache is used when nothing changed and only then.
final class CacheTests: XCTestCase {
    private var directory: URL!
    private var chapter: URL!
    private var runner: ChapterRunner!
    private var libraryStandIn: URL!

    override func setUpWithError() throws {
        directory = Project.temporaryDirectory()
        chapter = directory.appendingPathComponent("cached.md")
        var toolchain = try Toolchain.locate(executablePath: Project.d2lRun.path)
        // A private data folder and a file standing in for the library, both changed by tests.
        let data = directory.appendingPathComponent("Data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "some text".write(to: data.appendingPathComponent("book.txt"), atomically: true, encoding: .utf8)
        toolchain.dataDirectory = data.path
        libraryStandIn = directory.appendingPathComponent("library-stand-in")
        try "build 1".write(to: libraryStandIn, atomically: true, encoding: .utf8)
        toolchain.fingerprintFiles.append(libraryStandIn.path)
        runner = ChapterRunner(toolchain: toolchain, outputDirectory: directory.appendingPathComponent("Output"))
        try write(prose: "Intro.", code: "print(\"v1\")\nlet bad: [Int] = []\nprint(bad[0])")
    }

    private func write(prose: String, code: String) throws {
        try "# Cached\n\n\(prose)\n\n```swift {#a}\nprint(\"hello\")\n```\n\n```swift {#b}\n\(code)\n```\n"
            .write(to: chapter, atomically: true, encoding: .utf8)
    }

    private func runChapter() throws -> ChapterRunner.Report { try runner.run(chapterAt: chapter.path) }

    func testUnchangedChapterIsNotCompiledOrRun() throws {
        let first = try runChapter()
        XCTAssertFalse(first.cacheHit)
        let second = try runChapter()
        XCTAssertTrue(second.cacheHit)
        XCTAssertEqual(second.results.cells, first.results.cells)
    }

    func testNewSeedRunsTheLastCompileAgain() throws {
        let first = try runChapter()
        XCTAssertFalse(first.compileReused)
        runner.settings.seed = 7
        let second = try runChapter()
        XCTAssertFalse(second.cacheHit)
        XCTAssertTrue(second.compileReused)
        XCTAssertNil(second.stages.seconds(of: "compile"))
        XCTAssertEqual(second.results.cells.map(\.status), first.results.cells.map(\.status))
        XCTAssertEqual(second.results.cells[0].outputs, [.standardOutput("hello\n")])
    }

    func testForcedRunCompilesAgainWhenTheLibraryOrProgramChanged() throws {
        runner.usesCache = false
        _ = try runChapter()
        XCTAssertTrue(try runChapter().compileReused)
        try "build 2".write(to: libraryStandIn, atomically: true, encoding: .utf8)
        XCTAssertFalse(try runChapter().compileReused)
        XCTAssertTrue(try runChapter().compileReused)
        // A program missing from the build folder is compiled again, whatever the stamp says.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("Output/.cache/build-cached/chapter-program"))
        let rebuilt = try runChapter()
        XCTAssertFalse(rebuilt.compileReused)
        XCTAssertEqual(rebuilt.results.cells[0].outputs, [.standardOutput("hello\n")])
    }

    func testProseEditReweavesWithoutRunningAndMovesLines() throws {
        let first = try runChapter()
        XCTAssertEqual(first.results.cells[1].error?.line, 12)
        try write(prose: "Intro, now\nover three\nlines.", code: "print(\"v1\")\nlet bad: [Int] = []\nprint(bad[0])")
        let second = try runChapter()
        XCTAssertTrue(second.cacheHit)
        XCTAssertEqual(second.results.cells[1].error?.line, 14)
        let html = try String(contentsOf: second.pagePath, encoding: .utf8)
        XCTAssertTrue(html.contains("over three"))
        XCTAssertTrue(html.contains("cached.md:14: Fatal error: Index out of range"))
    }

    func testCellEditRunsAgain() throws {
        _ = try runChapter()
        try write(prose: "Intro.", code: "print(\"v2\")")
        let second = try runChapter()
        XCTAssertFalse(second.cacheHit)
        XCTAssertFalse(second.compileReused)
        XCTAssertNotNil(second.stages.seconds(of: "compile"))
        XCTAssertEqual(second.results.cells[1].outputs, [.standardOutput("v2\n")])
    }

    func testEditingAnExerciseThatDidNotRunKeepsTheCache() throws {
        try write(prose: "Intro.", code: "print(\"v1\")\n```\n\n```swift {#ex .exercise}\nprint(\"exercise 1\")")
        XCTAssertFalse(try runChapter().cacheHit)
        try write(prose: "Intro.", code: "print(\"v1\")\n```\n\n```swift {#ex .exercise}\nprint(\"exercise 2\")")
        let edited = try runChapter()
        XCTAssertTrue(edited.cacheHit, "the exercise is skipped: its source changes no result")
        XCTAssertTrue(try String(contentsOf: edited.pagePath, encoding: .utf8).contains("exercise 2"), "the page shows the new source")
        runner.exercises = .all
        XCTAssertFalse(try runChapter().cacheHit, "run, the exercise counts")
    }

    func testLibraryDataSeedAndForceEachRunAgain() throws {
        _ = try runChapter()
        try "build 2".write(to: libraryStandIn, atomically: true, encoding: .utf8)
        XCTAssertFalse(try runChapter().cacheHit, "library changed")
        XCTAssertTrue(try runChapter().cacheHit)
        try "other text".write(to: URL(fileURLWithPath: runner.toolchain.dataDirectory).appendingPathComponent("book.txt"),
                               atomically: true, encoding: .utf8)
        XCTAssertFalse(try runChapter().cacheHit, "data changed")
        runner.settings.seed = 7
        XCTAssertFalse(try runChapter().cacheHit, "seed changed")
        runner.usesCache = false
        XCTAssertFalse(try runChapter().cacheHit, "--force")
    }
}

final class ChapterWatcherTests: XCTestCase {
    private struct Stop: Error {}

    func testRunsAtStartAndAfterEachChange() throws {
        let file = Project.temporaryDirectory().appendingPathComponent("watched.md")
        try "one".write(to: file, atomically: true, encoding: .utf8)
        var calls = 0
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            try? "two, a little longer".write(to: file, atomically: true, encoding: .utf8)
        }
        XCTAssertThrowsError(try ChapterWatcher(path: file.path, interval: 0.05).watch {
            calls += 1
            if calls == 2 { throw Stop() }
        })
        XCTAssertEqual(calls, 2)
    }
}
