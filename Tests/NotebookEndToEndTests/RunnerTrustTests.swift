import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// Failures are located precisely, bad chapters are refused cleanly, nothing is left running.
final class RunnerTrustTests: XCTestCase {
    private var output: URL!

    override func setUp() { output = Project.temporaryDirectory() }

    private func page(_ name: String) -> String {
        (try? String(contentsOf: output.appendingPathComponent("\(name).html"), encoding: .utf8)) ?? ""
    }

    private func errorLines(in html: String) -> [String] {
        html.components(separatedBy: "class=\"output error\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    func testRuntimeFailuresNameTheirLines() throws {
        let fixture = Project.fixtures.appendingPathComponent("runtime-errors.md").path
        let result = try runD2L([fixture, "--output", output.path])
        XCTAssertEqual(result.status, 0, "every failing cell is tagged .fails: \(result.standardError)")
        let errors = errorLines(in: page("runtime-errors"))
        XCTAssertEqual(errors.count, 3)
        XCTAssertEqual(errors[0], "\(fixture):5: Fatal error: matmul: inner sizes differ in [2, 3] x [2, 3]")
        XCTAssertEqual(errors[1], "\(fixture):10: Fatal error: Unexpectedly found nil while unwrapping an Optional value")
        XCTAssertEqual(errors[2], "\(fixture):14: Fatal error: Error raised at top level: NotReady()")
        XCTAssertTrue(page("runtime-errors").contains("more bytes of standard output not shown; the limit is 262144 bytes per cell"))
    }

    func testWarningsAreShownAtTheirCell() throws {
        let fixture = Project.fixtures.appendingPathComponent("warning.md").path
        XCTAssertEqual(try runD2L([fixture, "--output", output.path]).status, 0)
        XCTAssertTrue(page("warning").contains("\(fixture):5:9: warning: variable &#39;neverMutated&#39; was never mutated"),
                      "warning missing from the page")
    }

    func testBadChaptersAreRefusedWithFileAndLine() throws {
        let cases = [
            ("unknown-tag", ":3: error: unknown cell tag '.sav'"),
            ("duplicate-id", ":5: error: duplicate cell id 'a' (first used on line 1)"),
            ("unclosed-fence", ":3: error: code fence opened here is never closed"),
            ("empty", ": error: the chapter is empty"),
            ("not-utf8", ":2: error: is not valid UTF-8"),
            ("a-directory", ": error: is a directory, not a chapter"),
            ("missing", ": error: no such file"),
        ]
        for (name, expected) in cases {
            let path = Project.fixtures.appendingPathComponent("bad/\(name).md").path
            let result = try runD2L([path, "--output", output.path])
            XCTAssertEqual(result.status, 2, name)
            XCTAssertTrue(result.standardError.hasPrefix(path + expected), "\(name): \(result.standardError)")
            XCTAssertEqual(result.standardError.filter { $0 == "\n" }.count, 1, "\(name): one line")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("\(name).html").path))
        }
    }

    func testABadRunKeepsThePreviousGoodPage() throws {
        let chapter = output.appendingPathComponent("page.md")
        try "# Good\n\n```swift {#a}\nprint(\"first version\")\n```\n".write(to: chapter, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runD2L([chapter.path, "--output", output.path]).status, 0)
        XCTAssertTrue(page("page").contains("first version"))
        try "# Broken\n\n```swift {#a .nope}\nprint(\"second\")\n".write(to: chapter, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runD2L([chapter.path, "--output", output.path]).status, 2)
        XCTAssertTrue(page("page").contains("first version"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testTimeLimitLeavesNoProcessBehind() throws {
        let fixture = Project.fixtures.appendingPathComponent("endless.md").path
        let result = try runD2L([fixture, "--output", output.path, "--cell-timeout", "1"])
        XCTAssertEqual(result.status, 1)
        let program = output.appendingPathComponent(".cache/build-endless/chapter-program").path
        let running = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
            guard Int(entry) != nil,
                  let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            return String(decoding: command, as: UTF8.self).contains(program)
        }
        XCTAssertEqual(running, [], "the endless program is still running")
    }
}
