import Foundation
import XCTest
@testable import Notebook

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
        let cases: [(String, Data, String)] = [
            ("unknown-tag", Data("# T\n\n```swift {#a .sav}\n1\n```\n".utf8), ":3: error: unknown cell tag '.sav'"),
            ("duplicate", Data("```swift {#a}\n1\n```\n\n```swift {#a}\n2\n```\n".utf8), ":5: error: duplicate cell id 'a'"),
            ("unclosed", Data("# T\n\n```swift {#a}\nprint(1)\n".utf8), ":3: error: code fence opened here is never closed"),
            ("empty", Data("\n  \n".utf8), ": error: the chapter is empty"),
            ("latin1", Data([0x23, 0x20, 0x54, 0x0A, 0xE9, 0x0A]), ":2: error: is not valid UTF-8"),
        ]
        for (name, bytes, expected) in cases {
            let path = output.appendingPathComponent("\(name).md")
            try bytes.write(to: path)
            let result = try runD2L([path.path, "--output", output.path])
            XCTAssertEqual(result.status, 2, name)
            XCTAssertTrue(result.standardError.hasPrefix(path.path + expected), "\(name): \(result.standardError)")
            XCTAssertEqual(result.standardError.filter { $0 == "\n" }.count, 1, "one line")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("\(name).html").path))
        }
        let directory = try runD2L([output.path, "--output", output.path])
        XCTAssertEqual(directory.status, 2)
        XCTAssertEqual(directory.standardError, "\(output.path): error: is a directory, not a chapter\n")
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
