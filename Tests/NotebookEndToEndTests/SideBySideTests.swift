import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// `sideBySide` in a chapter: results and printed text in task order, one thread per task, and
/// a task that crashes or fails a check stops its cell with a message naming it.
final class SideBySideTests: XCTestCase {
    func testTasksRunInChildrenAndReportInOrder() throws {
        let output = Project.temporaryDirectory()
        let result = try runD2L([Project.fixtures.appendingPathComponent("side-by-side.md").path,
                                 "--output", output.path, "--exercises"])
        XCTAssertEqual(result.status, 1, "the crashing exercises fail: \(result.standardError)")
        let html = try String(contentsOf: output.appendingPathComponent("side-by-side.html"), encoding: .utf8)
        func section(_ id: String) -> String {
            guard let start = html.range(of: "id=\"\(id)\">"),
                  let end = html[start.upperBound...].range(of: "</section>") else { return "" }
            return String(html[start.upperBound..<end.lowerBound])
        }
        let ordered = section("ordered")
        // The first task finishes last, yet its text comes first; each task had one thread.
        let first = ordered.range(of: "first task prints"), second = ordered.range(of: "second task prints")
        let third = ordered.range(of: "third task prints")
        XCTAssertNotNil(first, ordered)
        if let first, let second, let third {
            XCTAssertLessThan(first.lowerBound, second.lowerBound)
            XCTAssertLessThan(second.lowerBound, third.lowerBound)
        }
        XCTAssertTrue(ordered.contains("[[&quot;a&quot;, &quot;1&quot;], [&quot;b&quot;, &quot;1&quot;], [&quot;c&quot;, "), ordered)
        let crash = section("crash")
        XCTAssertTrue(crash.contains("before the crash"), crash)
        XCTAssertTrue(crash.contains("side-by-side task 2 of 2 was killed by signal"), crash)
        XCTAssertTrue(crash.contains("side-by-side.md:15: side-by-side task 2 of 2 was killed by signal 4: Fatal error: Index out of range"),
                      "the task's crash, at its line: \(crash)")
        XCTAssertFalse(crash.contains("not reached ["), "the cell stopped")
        let check = section("check")
        XCTAssertTrue(check.contains("length 3"), check)
        XCTAssertFalse(check.contains("not reached ["), "the cell stopped")
        XCTAssertTrue(section("after").contains("the page goes on"))
    }

    func testResultsDependOnTheSeedNotOnTiming() throws {
        func thirdValue(seed: String) throws -> String {
            let output = Project.temporaryDirectory()
            _ = try runD2L([Project.fixtures.appendingPathComponent("side-by-side.md").path,
                            "--output", output.path, "--seed", seed, "--force"])
            let html = try String(contentsOf: output.appendingPathComponent("side-by-side.html"), encoding: .utf8)
            guard let range = html.range(of: #"&quot;c&quot;, &quot;\d+&quot;"#, options: .regularExpression) else { return "" }
            return String(html[range])
        }
        let first = try thirdValue(seed: "3")
        XCTAssertFalse(first.isEmpty)
        XCTAssertEqual(try thirdValue(seed: "3"), first)
        XCTAssertNotEqual(try thirdValue(seed: "4"), first)
    }
}
