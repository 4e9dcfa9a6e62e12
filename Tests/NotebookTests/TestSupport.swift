import Foundation
import ProjectPaths
import XCTest
@testable import Notebook

/// Paths of this checkout.
enum Project {
    static let root = ProjectPaths.root
    static let fixtures = root.appendingPathComponent("Tests/NotebookTests/Fixtures")
    static var d2lRun: URL { ProjectPaths.d2lRun }

    /// A new scratch directory, removed when the test bundle finishes.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        ScratchDirectories.shared.add(url)
        return url
    }
}

/// The scratch directories the tests made, removed at the end of the run: 900 of them had
/// piled up in /tmp over a day of test runs.
final class ScratchDirectories: NSObject, XCTestObservation, @unchecked Sendable {
    static let shared: ScratchDirectories = {
        let directories = ScratchDirectories()
        XCTestObservationCenter.shared.addTestObserver(directories)
        return directories
    }()

    private let lock = NSLock()
    private var urls: [URL] = []

    func add(_ url: URL) {
        lock.lock()
        defer { lock.unlock() }
        urls.append(url)
    }

    func testBundleDidFinish(_ testBundle: Bundle) {
        lock.lock()
        defer { lock.unlock() }
        for url in urls { try? FileManager.default.removeItem(at: url) }
        urls.removeAll()
    }
}

/// Runs `d2l-run` with `arguments` and returns its exit status and standard error.
func runD2L(_ arguments: [String]) throws -> (status: Int32, standardError: String) {
    let outcome = try ChildProcess.run(Project.d2lRun.path, arguments: arguments)
    return (outcome.status, outcome.standardError)
}
