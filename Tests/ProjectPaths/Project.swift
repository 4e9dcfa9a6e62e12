import Foundation
import XCTest

/// The checkout as the Notebook test targets see it: its fixture chapters, the built `d2l-run`
/// and scratch folders that go away with the test run.
public enum Project {
    public static let root = ProjectPaths.root
    public static let fixtures = root.appendingPathComponent("Tests/NotebookTests/Fixtures")
    public static var d2lRun: URL { ProjectPaths.d2lRun }

    /// A new scratch directory, removed when the test bundle finishes.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        ScratchDirectories.shared.add(url)
        return url
    }
}

/// The scratch directories the tests made, removed at the end of the run: 900 of them had
/// piled up in /tmp over a day of test runs.
final class ScratchDirectories: NSObject, XCTestObservation, @unchecked Sendable {  // its lock guards `urls`
    static let shared: ScratchDirectories = {
        let directories = ScratchDirectories()
        XCTestObservationCenter.shared.addTestObserver(directories)
        return directories
    }()

    private let lock = NSLock()
    private var urls: [URL] = []

    func add(_ url: URL) {
        lock.withLock { urls.append(url) }
    }

    func testBundleDidFinish(_ testBundle: Bundle) {
        lock.withLock {
            for url in urls { try? FileManager.default.removeItem(at: url) }
            urls.removeAll()
        }
    }
}
