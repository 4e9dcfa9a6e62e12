import Foundation
import Notebook
import ProjectPaths
import XCTest

/// A chapter saved with a byte-order mark and Windows line ends runs; one in UTF-16 is refused
/// with its file and line.
final class ChapterEncodingTests: XCTestCase {
    func testD2LRunReadsACRLFChapterAndRefusesUTF16() throws {
        let directory = Project.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try String(contentsOf: Project.fixtures.appendingPathComponent("good.md"), encoding: .utf8)
        let crlf = directory.appendingPathComponent("good.md")
        try Data(([0xEF, 0xBB, 0xBF] + Array(good.replacingOccurrences(of: "\n", with: "\r\n").utf8))).write(to: crlf)
        let output = directory.appendingPathComponent("out")
        let run = try runD2L([crlf.path, "--output", output.path])
        XCTAssertEqual(run.status, 0, run.standardError)
        let html = try String(contentsOf: output.appendingPathComponent("good.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("second"), "the second cell ran")

        let wide = directory.appendingPathComponent("wide.md")
        let little: [UInt8] = good.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        try Data([0xFF, 0xFE] + little).write(to: wide)
        let refused = try runD2L([wide.path, "--output", output.path])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.standardError.contains("\(wide.path):1: error: is UTF-16; save it as UTF-8"), refused.standardError)
    }
}
