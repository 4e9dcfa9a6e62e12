import Foundation
import ProjectPaths
import XCTest

/// The front end's own unit tests (`Tests/FrontEnd/*.test.mjs`, node's built-in test runner), run
/// as part of `swift test`. Node is a test dependency (`make test-deps` installs Debian's
/// `nodejs`): without it this test fails, it does not skip.
final class FrontEndUnitTests: XCTestCase {
    func testNodeUnitTestsPass() throws {
        let directory = ProjectPaths.root.appendingPathComponent("Tests/FrontEnd")
        let (status, text) = try ProjectPaths.run("/usr/bin/env", ["node", "--test", directory.path], in: ProjectPaths.root)
        if status == 127 {
            XCTFail("node is not installed (Debian's nodejs; `make test-deps` installs it):\n\(text)")
            return
        }
        XCTAssertEqual(status, 0, "node --test Tests/FrontEnd failed:\n\(text)")
        // A run that found no test file passes too: insist on tests having run.
        let passed = text.split(separator: "\n").first { $0.hasPrefix("# pass ") }.flatMap { Int($0.dropFirst(7)) } ?? 0
        XCTAssertGreaterThan(passed, 0, "node ran no front-end test:\n\(text)")
    }
}
