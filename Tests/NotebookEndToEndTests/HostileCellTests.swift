import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// Cells that try to break the runner: forge its protocol, leave processes behind, read
/// standard input, end the program; and a runner stopped by a signal.
final class HostileCellTests: XCTestCase {
    private var output: URL!

    override func setUp() { output = Project.temporaryDirectory() }

    private func fixture(_ name: String) -> String { Project.fixtures.appendingPathComponent("hostile/\(name)").path }

    private func page(_ name: String) -> String {
        (try? String(contentsOf: output.appendingPathComponent("\(name).html"), encoding: .utf8)) ?? ""
    }

    private func section(_ id: String, in html: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\">"),
              let end = html[start.upperBound...].range(of: "</section>") else { return "" }
        return String(html[start.upperBound..<end.lowerBound])
    }

    private func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    private func children(of pid: pid_t) -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let child = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }

    func testForgedMarkersAreOnlyTextOfTheCellThatPrintedThem() throws {
        let result = try runD2L([fixture("forged-markers.md"), "--output", output.path])
        XCTAssertEqual(result.status, 0, result.standardError)
        let html = page("forged-markers")
        let forge = section("forge", in: html)
        XCTAssertTrue(forge.contains("still the forging cell"), forge)
        XCTAssertTrue(forge.contains("end 0 1 1") && forge.contains("forged failure"), "forged lines are shown as text")
        XCTAssertFalse(html.contains("class=\"output check\""), "no check was added")
        XCTAssertFalse(forge.contains("class=\"output error\""), "no failure was added")
        XCTAssertTrue(section("next", in: html).contains("next cell"))
        let next = section("next", in: html)
        XCTAssertFalse(next.contains("forged check") || next.contains("forged failure") || next.contains("still the"),
                       "nothing moved to the next cell")
    }

    func testWhatACellLeavesRunningIsEndedAndStandardInputIsEmpty() throws {
        let pidFile = output.appendingPathComponent("sleep.pid").path
        setenv("D2L_TEST_PIDFILE", pidFile, 1)
        defer { unsetenv("D2L_TEST_PIDFILE") }
        let start = Date()
        let result = try runD2L([fixture("leaves-processes.md"), "--output", output.path])
        XCTAssertLessThan(Date().timeIntervalSince(start), 60, "the run ends when the program does")
        XCTAssertEqual(result.status, 0, result.standardError)
        let html = page("leaves-processes")
        XCTAssertTrue(section("leave", in: html).contains("started"))
        XCTAssertTrue(section("stdin", in: html).contains("read: end of file"))
        XCTAssertTrue(section("after", in: html).contains("after"))
        let pid = try XCTUnwrap(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertFalse(isAlive(pid), "the background process left by the cell was ended")
    }

    func testACellThatEndsTheProgramIsThatCellsFailure() throws {
        let result = try runD2L([fixture("exits.md"), "--output", output.path])
        XCTAssertEqual(result.status, 1)
        let html = page("exits")
        XCTAssertTrue(section("first", in: html).contains("first"))
        let quits = section("quits", in: html)
        XCTAssertTrue(quits.contains("quitting"))
        XCTAssertTrue(quits.contains("\(fixture("exits.md")):8: the program exited with status 0"), "at the cell's line: \(quits)")
        XCTAssertTrue(section("later", in: html).contains("not run"))
    }

    func testSIGTERMToTheRunnerAloneEndsTheProgramAndKeepsTheLastPage() throws {
        XCTAssertEqual(try runD2L([Project.fixtures.appendingPathComponent("good.md").path, "--output", output.path]).status, 0)
        let chapter = output.appendingPathComponent("good.md")
        try FileManager.default.copyItem(at: Project.fixtures.appendingPathComponent("endless.md"), to: chapter)
        let goodPage = try Data(contentsOf: output.appendingPathComponent("good.html"))

        let runner = Process()
        runner.executableURL = Project.d2lRun
        runner.arguments = [chapter.path, "--output", output.path]
        runner.standardError = FileHandle.nullDevice
        try runner.run()
        let deadline = Date().addingTimeInterval(60)
        var program: pid_t?
        while program == nil && Date() < deadline {
            // The chapter program, once it is compiled and spinning in its cell.
            program = children(of: runner.processIdentifier).first { child in
                ((try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) ?? "").hasPrefix("chapter-progr")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let spinning = try XCTUnwrap(program, "the chapter program started")
        Thread.sleep(forTimeInterval: 0.3)
        let signalled = Date()
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 5)
        XCTAssertEqual(runner.terminationStatus, 128 + SIGTERM)
        let stopDeadline = Date().addingTimeInterval(5)
        while isAlive(spinning) && Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(isAlive(spinning), "the chapter program ended with the runner")
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("good.html")), goodPage, "the last good page is kept")
    }

    func testDamagedCacheFilesGiveAFreshCorrectRun() throws {
        let good = Project.fixtures.appendingPathComponent("good.md").path
        XCTAssertEqual(try runD2L([good, "--output", output.path]).status, 0)
        let cache = output.appendingPathComponent(".cache/good.json")
        let data = try Data(contentsOf: cache)
        try data.prefix(data.count / 2).write(to: cache)
        try Data("{\"not\": \"an entry\"".utf8).write(to: output.appendingPathComponent(".cache/good-exercises.json"))
        let again = try runD2L([good, "--output", output.path])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(section("first", in: page("good")).contains("out &lt;b&gt;[2, 2]&lt;/b&gt;"))
    }

    func testAnOutputFolderThatCannotBeMadeIsOneClearError() throws {
        let blocker = output.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let result = try runD2L([Project.fixtures.appendingPathComponent("good.md").path, "--output", blocker.appendingPathComponent("out").path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasPrefix("d2l-run: cannot write to the output folder \(blocker.path)/out:"), result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
    }

    func testTwoRunsAtOnceBothWriteAWholeCorrectPage() throws {
        let good = Project.fixtures.appendingPathComponent("good.md").path
        nonisolated(unsafe) var statuses: [Int32] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let status = (try? runD2L([good, "--output", output.path, "--force"]).status) ?? -1
            lock.withLock { statuses.append(status) }
        }
        XCTAssertEqual(statuses, [0, 0])
        let html = page("good")
        XCTAssertTrue(html.hasSuffix("</html>\n"))
        XCTAssertTrue(section("first", in: html).contains("out &lt;b&gt;[2, 2]&lt;/b&gt;"))
    }
}
