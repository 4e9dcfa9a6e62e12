import Foundation
import XCTest
@testable import D2LSwift

/// Tasks run side by side in forked children, at the same time, each with its own generator.
final class SideBySideTests: XCTestCase {
    private var savedThreads = Parallelism.threads

    override func setUp() { savedThreads = Parallelism.threads }
    override func tearDown() { Parallelism.threads = savedThreads }

    func testTwoTasksRunAtTheSameTimeInChildren() {
        Parallelism.threads = 2
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("side-by-side-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let parent = getpid()
        // Each task announces itself, then waits for the other: run one after the other, the
        // first would wait in vain.
        func meet(_ me: Int, _ other: Int) -> [Int32] {
            FileManager.default.createFile(atPath: folder.appendingPathComponent("\(me)").path, contents: nil)
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(other)").path) && Date() < deadline {
                usleep(1000)
            }
            let met = FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(other)").path)
            return [met ? 1 : 0, getpid() == parent ? 0 : 1, Int32(Parallelism.threads)]
        }
        let results = sideBySide([{ meet(0, 1) }, { meet(1, 0) }])
        XCTAssertEqual(results, [[1, 1, 1], [1, 1, 1]], "met each other, in children, with one thread each")
    }

    func testDrawsDependOnTheTaskAndSeedAlikeInChildrenAndInProcess() {
        let tasks: [() -> [UInt64]] = (0..<3).map { _ in { [Random.generator.next(), Random.generator.next()] } }
        Parallelism.threads = 2
        Random.seed(11)
        let forked = sideBySide(tasks)
        let afterForked = Random.generator.next()
        Parallelism.threads = 1
        Random.seed(11)
        let inProcess = sideBySide(tasks)
        let afterInProcess = Random.generator.next()
        XCTAssertEqual(forked, inProcess)
        XCTAssertEqual(Set(forked.map { $0[0] }).count, 3, "each task has its own generator")
        XCTAssertEqual(afterForked, afterInProcess, "the shared generator goes on the same way")
        Random.seed(12)
        XCTAssertNotEqual(sideBySide(tasks), inProcess)
    }
}
