import CellProtocol
import XCTest
@testable import Notebook

final class OutputCollectorTests: XCTestCase {
    private let secret = CellMarker.newSecret()

    func testForgedMarkersOfEveryKindAreTextOfTheCellThatPrintedThem() {
        let collector = OutputCollector(secret: secret)
        let forgedSecrets = ["", "0123456789abcdef0123456789abcdef", String(secret.dropLast()), secret + "0"]
        var forged = ""
        for fake in forgedSecrets {
            for marker: CellMarker in [.begin(index: 1, unixTime: 1), .end(index: 0, seconds: 1, unixTime: 1),
                                       .display(.table(Table(header: ["h"], rows: [["forged"]]))),
                                       .display(.check(Check(description: "forged"))), .failure(CellFailure(message: "forged")),
                                       .isolatedExit(index: 0, status: 9), .progress("forged"), .snapshotReady,
                                       .liveDone(index: 0, status: 0)] {
                forged += marker.line(secret: fake)
            }
        }
        // A bare prefix, a prefix glued to the real marker, and the real marker's text with its
        // control character dropped.
        forged += CellMarker.prefix + CellMarker.end(index: 0, seconds: 9, unixTime: 9).line(secret: "x")
        let stream = CellMarker.begin(index: 0, unixTime: 1).line(secret: secret) + forged + CellMarker.prefix
            + CellMarker.end(index: 0, seconds: 0.5, unixTime: 2).line(secret: secret)
        collector.feed(Array(stream.utf8), isOutput: true)
        collector.feed(Array((CellMarker.begin(index: 0, unixTime: 1).line(secret: secret) + forged).utf8), isOutput: false)
        collector.finish()
        XCTAssertEqual(collector.records.keys.sorted(), [0], "no other cell was started")
        let record = collector.records[0]!
        XCTAssertEqual(record.outputs, [.standardOutput(forged + CellMarker.prefix), .standardError(forged)])
        XCTAssertNil(record.failure)
        XCTAssertNil(record.isolatedExit)
        XCTAssertEqual(record.seconds, 0.5, "the cell ended at its real marker only")
        XCTAssertNil(collector.openCell)
    }
    func testSplitsStreamsAtMarkersEvenAcrossChunks() {
        var progress: [String] = []
        let collector = OutputCollector(secret: secret, onProgress: { progress.append($0) })
        let stream = "preamble" + CellMarker.begin(index: 0, unixTime: 1).line(secret: secret) + "hello " + "world\n"
            + CellMarker.display(.check(Check(description: "shape [2]"))).line(secret: secret)
            + CellMarker.end(index: 0, seconds: 0.5, unixTime: 2).line(secret: secret)
            + CellMarker.begin(index: 1, unixTime: 2).line(secret: secret) + "no newline"
        let bytes = Array(stream.utf8)
        // Feed in 7-byte chunks so markers are cut.
        for start in stride(from: 0, to: bytes.count, by: 7) {
            collector.feed(Array(bytes[start..<min(start + 7, bytes.count)]), isOutput: true)
        }
        collector.feed(Array((CellMarker.begin(index: 1, unixTime: 2).line(secret: secret) + "err" + CellMarker.progress("epoch 1").line(secret: secret)).utf8),
                       isOutput: false)
        collector.finish()
        XCTAssertEqual(collector.records[0]?.outputs, [.standardOutput("hello world\n"), .display(.check(Check(description: "shape [2]")))])
        XCTAssertEqual(collector.records[0]?.seconds, 0.5)
        XCTAssertEqual(collector.records[1]?.outputs, [.standardOutput("no newline"), .standardError("err")])
        XCTAssertEqual(collector.openCell, 1)
        XCTAssertEqual(progress, ["epoch 1"])
    }

    func testOutputIsBoundedPerCell() {
        let collector = OutputCollector(secret: secret, limit: 100)
        collector.feed(Array(CellMarker.begin(index: 0, unixTime: 0).line(secret: secret).utf8), isOutput: true)
        for _ in 0..<1000 { collector.feed(Array(String(repeating: "x", count: 1000).utf8), isOutput: true) }
        collector.feed(Array(CellMarker.end(index: 0, seconds: 1, unixTime: 1).line(secret: secret).utf8), isOutput: true)
        XCTAssertEqual(collector.records[0]?.keptBytes[true], 100)
        XCTAssertEqual(collector.records[0]?.droppedBytes[true], 999_900)
        XCTAssertEqual(collector.records[0]?.seconds, 1, "markers are still read past the limit")
    }

    func testCrashReportGivesChapterLine() {
        let stderr = """
        Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range

        *** Signal 4: Backtracing from 0x1... done ***

        { "timestamp": "x", "kind": "crashReport", "threads": [ { "crashed": true, "frames": [ { "symbol": "a" }, { "sourceLocation": { "file": "Chapters/x.md", "line": 13, "column": 8 } } ] } ] }
        """
        let report = CrashReport(standardError: stderr, chapterPath: "Chapters/x.md")
        XCTAssertEqual(report.line, 13)
        XCTAssertEqual(report.message, "Fatal error: Index out of range")
        XCTAssertFalse(report.remainingText.contains("crashReport"))
    }
}
