import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// A shape mistake in a model whose batches the trainer splits between two threads is reported
/// the same way every run: at the cell's `fit` line, about the batch the author made.
final class SplitStepCrashTests: XCTestCase {
    /// Runs the fixture with two training threads (even on a one-core machine) and returns the
    /// exit status, the page's error lines and whether the cell after the failing one ran.
    private func runFixture() throws -> (status: Int32, errors: [String], laterCellRan: Bool, standardError: String) {
        let output = Project.temporaryDirectory()
        let fixture = Project.fixtures.appendingPathComponent("split-crash.md").path
        var environment = ProcessInfo.processInfo.environment
        environment["D2L_THREADS"] = "2"
        var standardError = Data()
        let outcome = try ChildProcess.spawn(Project.d2lRun.path, arguments: [fixture, "--output", output.path, "--force"],
                                             environment: environment, timeLimit: 300,
                                             onOutput: { _ in }, onError: { standardError.append(contentsOf: $0) })
        let html = (try? String(contentsOf: output.appendingPathComponent("split-crash.html"), encoding: .utf8)) ?? ""
        let errors = html.components(separatedBy: "class=\"output error\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
        return (outcome.status, errors, html.contains("class=\"output stdout\">the chapter goes on"), String(decoding: standardError, as: UTF8.self))
    }

    func testTheSameErrorAtTheFitLineAboutTheWholeBatchEveryRun() throws {
        let fixture = Project.fixtures.appendingPathComponent("split-crash.md").path
        // Line 22 is `trainer.fit(model, data)`; the batch has 1024 rows, each half 512.
        let expected = "\(fixture):22: Fatal error: matmul: inner sizes differ in [1024, 32] x [28, 32]"
        for run in 1...3 {
            let result = try runFixture()
            XCTAssertEqual(result.status, 0, "run \(run): the failing cell is tagged .fails: \(result.standardError)")
            XCTAssertEqual(result.errors, [expected], "run \(run)")
            XCTAssertTrue(result.laterCellRan, "run \(run): the failure was the expected one, so the chapter goes on")
        }
    }
}
