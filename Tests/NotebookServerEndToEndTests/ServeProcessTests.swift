import Foundation
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `d2l-run serve` as a process: what it prints, and that stopping it stops everything it started.
final class ServeProcessTests: XCTestCase {
    private static let liveFixture = ServedChapter.projectRoot.appendingPathComponent("Tests/NotebookTests/Fixtures/live.md")

    /// The processes whose parent is `pid`, with their command names.
    private func children(of pid: Int32) -> [(pid: Int32, name: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (Int32, String)? in
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let name = String(stat[stat.index(after: stat.firstIndex(of: "(")!)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid, fields[0] != "Z" else { return nil }
            return (child, name)
        }
    }

    private func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    private func waitForReady(_ served: ServedChapter) throws {
        let deadline = Date().addingTimeInterval(120)
        while !served.standardError.contains("main cells: ready") {
            XCTAssertLessThan(Date(), deadline, served.standardError)
            if Date() > deadline { throw ServedChapterError("the snapshot never became ready") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    func testSIGTERMEndsTheSnapshotAndARunningCell() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-serve-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let chapter = directory.appendingPathComponent("live.md")
        try FileManager.default.copyItem(at: Self.liveFixture, to: chapter)
        let served = try ServedChapter(chapter: chapter.path)
        defer { _ = served.close() }
        XCTAssertEqual(served.standardOutputLines.count, 1, "one line: the address")
        XCTAssertEqual(served.url.host, "127.0.0.1")
        XCTAssertEqual(served.token.count, 48)
        try waitForReady(served)
        let program = try XCTUnwrap(children(of: served.processIdentifier).first { $0.name.hasPrefix("chapter-progr") },
                                    "the live chapter program runs under d2l-run serve")

        // A cell that sleeps, so that a forked child of the snapshot is running too.
        var request = URLRequest(url: served.baseURL.appendingPathComponent("api/cells/ex-sleep/run"))
        request.httpMethod = "POST"
        request.setValue("token \(served.token)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(#"{"source": "print(\"sleeping\")\nsleep(600)"}"#.utf8)
        URLSession.shared.dataTask(with: request) { _, _, _ in }.resume()
        let deadline = Date().addingTimeInterval(30)
        var cell: Int32?
        while cell == nil && Date() < deadline {
            cell = children(of: program.pid).first?.pid
            Thread.sleep(forTimeInterval: 0.05)
        }
        let running = try XCTUnwrap(cell, "the exercise's forked child")

        kill(served.processIdentifier, SIGTERM)
        let stopDeadline = Date().addingTimeInterval(10)
        while (served.isRunning || isAlive(program.pid) || isAlive(running)) && Date() < stopDeadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertFalse(served.isRunning, "d2l-run serve stops on SIGTERM")
        XCTAssertEqual(served.termination.status, 0, "a clean stop, as the README says")
        XCTAssertEqual(served.termination.reason, .exit)
        XCTAssertFalse(isAlive(program.pid), "the snapshot's program ends with it")
        XCTAssertFalse(isAlive(running), "and so does the cell it was running")
    }
}
