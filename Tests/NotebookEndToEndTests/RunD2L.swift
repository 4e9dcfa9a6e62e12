import Foundation
import Notebook
import ProjectPaths

/// Runs `d2l-run` with `arguments` and returns its exit status and standard error.
func runD2L(_ arguments: [String]) throws -> (status: Int32, standardError: String) {
    let outcome = try ChildProcess.run(Project.d2lRun.path, arguments: arguments)
    return (outcome.status, outcome.standardError)
}
