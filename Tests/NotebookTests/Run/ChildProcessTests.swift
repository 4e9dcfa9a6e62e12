import Foundation
import XCTest
@testable import Notebook

final class ChildProcessTests: XCTestCase {
    /// The runner ignores SIGTERM to handle it itself; a program it starts must not inherit
    /// that (a shell cannot even undo an ignored signal), or it could not be stopped by one.
    func testAProgramGetsTheDefaultActionOfSignalsTheRunnerIgnores() throws {
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -TERM $$; echo survived"])
        XCTAssertEqual(outcome.signal, SIGTERM, outcome.standardOutput)
        XCTAssertFalse(outcome.standardOutput.contains("survived"))
    }
}
