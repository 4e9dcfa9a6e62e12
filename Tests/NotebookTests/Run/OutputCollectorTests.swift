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
                                       .chainResumed(index: 0, pid: 1, status: 0, onStandardOutput: true)] {
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

    /// A figure of a diverging run: its points are inf, -inf and NaN.
    private let divergingFigure = Figure(xLabel: "epoch", yLabel: "ppl", series: [
        .init(name: "train ppl", points: [[1, 12], [2, .infinity], [3, .nan], [4, -.infinity]]),
    ])

    private func assertDiverging(_ figure: Figure?, file: StaticString = #filePath, line: UInt = #line) {
        let points = figure?.series.first?.points ?? []
        XCTAssertEqual(points.count, 4, file: file, line: line)
        guard points.count == 4 else { return }
        XCTAssertEqual(points[0], [1, 12], file: file, line: line)
        XCTAssertEqual(points[1], [2, .infinity], file: file, line: line)
        XCTAssertTrue(points[2][1].isNaN, file: file, line: line)
        XCTAssertEqual(points[3], [4, -.infinity], file: file, line: line)
    }

    func testFiguresWithValuesThatAreNotFiniteCrossTheProtocol() {
        var live: [CellMarker] = []
        let collector = OutputCollector(secret: secret, onLiveMarker: { live.append($0) })
        let stream = CellMarker.begin(index: 0, unixTime: 1).line(secret: secret)
            + CellMarker.display(.figure(divergingFigure)).line(secret: secret)
            + CellMarker.liveFigure(divergingFigure).line(secret: secret)
            + CellMarker.end(index: 0, seconds: 0.5, unixTime: 2).line(secret: secret)
        collector.feed(Array(stream.utf8), isOutput: true)
        collector.finish()
        let outputs = collector.records[0]?.outputs ?? []
        XCTAssertEqual(outputs.count, 1, "the figure alone, no text: \(outputs)")
        guard case let .display(.figure(figure))? = outputs.first else { return XCTFail("no figure: \(outputs)") }
        assertDiverging(figure)
        guard case let .liveFigure(liveFigure)? = live.first else { return XCTFail("no live figure: \(live)") }
        assertDiverging(liveFigure)
    }

    /// The run cache and the live API encode results with a plain `JSONEncoder`, which throws
    /// on a non-finite Double unless the value says how to write it.
    func testAFigureWithValuesThatAreNotFiniteEncodesWithAnyEncoder() throws {
        let data = try JSONEncoder().encode(DisplayItem.figure(divergingFigure))
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(#"[2,"inf"]"#))
        guard case let .figure(figure) = try JSONDecoder().decode(DisplayItem.self, from: data) else { return XCTFail() }
        assertDiverging(figure)
    }

    func testAFigureStoredBeforeItsOptionsExistedStillDecodes() throws {
        let stored = #"{"logY":false,"series":[{"name":"a","points":[[1,2]]}],"title":"","xLabel":"x","yLabel":"y"}"#
        let figure = try JSONDecoder().decode(Figure.self, from: Data(stored.utf8))
        XCTAssertEqual(figure, Figure(xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [[1, 2]])]))
        XCTAssertEqual(figure.series[0].style, .lines)
        XCTAssertFalse(figure.logX)
        XCTAssertNil(figure.xRange)
    }

    func testFigureOptionsCrossTheProtocol() {
        let figure = Figure(xLabel: "rank", yLabel: "frequency", series: [.init(name: "w", points: [[1, 9]], style: .points)],
                            logY: true, logX: true, xRange: 1...1e5, yRange: 0.5...1e6)
        XCTAssertEqual(CellMarker(body: Substring(CellMarker.display(.figure(figure)).body)), .display(.figure(figure)))
    }

    /// Only the program knows the secret, so a marker with it is never a cell's text: one the
    /// runner cannot read, or one cut off when the program died, is an error naming its kind,
    /// and the page never shows the secret.
    func testAMarkerWithTheSecretThatCannotBeReadIsAnErrorNeverText() {
        let collector = OutputCollector(secret: secret)
        let stream = CellMarker.begin(index: 0, unixTime: 1).line(secret: secret) + "before\n"
            + CellMarker.opening(secret: secret) + "display {\"figure\":{\"_0\":{\"series\":[[\n"
            + "after\n" + CellMarker.opening(secret: secret) + "display {\"figure\":{\"_0\":{\"ser"
        collector.feed(Array(stream.utf8), isOutput: true)
        collector.finish()
        let outputs = collector.records[0]?.outputs ?? []
        XCTAssertEqual(outputs, [
            .standardOutput("before\n"),
            .error(CellError(message: "d2l-run: a display message from the program could not be read; it is left out")),
            .standardOutput("after\n"),
            .error(CellError(message: "d2l-run: a display message from the program was cut off when the program ended; it is left out")),
        ])
        XCTAssertFalse("\(outputs)".contains(secret))
    }

    /// A cell whose result could not be read did not run as intended: its status says so.
    func testACellWithAnUnreadableResultFails() throws {
        let collector = OutputCollector(secret: secret)
        let stream = CellMarker.begin(index: 0, unixTime: 1).line(secret: secret) + "before\n"
            + CellMarker.opening(secret: secret) + "display {\"figure\":{\n"
            + CellMarker.end(index: 0, seconds: 0.1, unixTime: 2).line(secret: secret)
        collector.feed(Array(stream.utf8), isOutput: true)
        collector.finish()
        let chapter = try ChapterParser.parse("# T\n\n```swift {#a}\nprint(1)\n```\n", path: "x.md")
        let cells = CellResultBuilder(chapter: chapter, plans: [.run], records: collector.records, openCell: nil,
                                      outcome: ChildProcess.Outcome(status: 0, signal: nil, timedOut: false),
                                      timeLimit: nil).build()
        XCTAssertEqual(cells.first?.status, .failed)
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
