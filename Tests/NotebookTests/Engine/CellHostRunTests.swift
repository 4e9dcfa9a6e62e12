import CellProtocol
import XCTest
@testable import Notebook

/// How a cell's run on a ``CellHost`` becomes the result both front ends show: built by hand,
/// without processes.
final class CellHostRunTests: XCTestCase {
    private let cell = Cell(index: 30, id: "ex", source: "print(1)\ncheck()\n", line: 24)
    private var chapter: Chapter { Chapter(path: "Chapters/x.md", blocks: [.cell(cell)]) }

    private func record(ended: Bool, failure: CellFailure? = nil) -> OutputCollector.CellRecord {
        var record = OutputCollector.CellRecord()
        record.outputs = [.standardOutput("1\n")]
        record.began = 100
        if ended { (record.ended, record.seconds) = (100.5, 0.5) }
        record.failure = failure
        return record
    }

    private func result(_ end: ChainMonitor.RunEnd, _ record: OutputCollector.CellRecord, interrupted: Bool = false) -> CellResult {
        CellHost.Run(end: end, record: record, interrupted: interrupted).result(cell: cell, chapter: chapter)
    }

    func testACellThatRanToItsEndIsOkWhetherItsStateIsKeptOrDiscarded() {
        for end: ChainMonitor.RunEnd in [.holder(pid: 12), .resumed(pid: 10, status: 0)] {
            let result = result(end, record(ended: true))
            XCTAssertEqual(result.status, .ok, "\(end)")
            XCTAssertEqual(result.outputs, [.standardOutput("1\n")])
            XCTAssertEqual(result.seconds, 0.5)
        }
    }

    func testACellThatEndedItsOwnProcessFailedEvenWithStatusZero() {
        let result = result(.resumed(pid: 10, status: 0), record(ended: false))
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.error?.message, "the cell ended its own process (exit status 0)")
        XCTAssertEqual(result.error?.line, 24)
    }

    func testACrashNamesItsFailureOrItsSignal() {
        let checked = result(.resumed(pid: 10, status: 134),
                             record(ended: false, failure: CellFailure(message: "shape mismatch", file: "Chapters/x.md", line: 25)))
        XCTAssertEqual(checked.status, .failed)
        XCTAssertEqual(checked.error?.message, "shape mismatch")
        XCTAssertEqual(checked.error?.line, 25)
        let killed = result(.resumed(pid: 10, status: 137), record(ended: false))
        XCTAssertEqual(killed.status, .failed)
        XCTAssertTrue(killed.error?.message.contains("9") ?? false, killed.error?.message ?? "no error")
    }

    func testAnInterruptedCellSaysSoInsteadOfItsSignal() {
        let result = result(.resumed(pid: 10, status: 137), record(ended: false), interrupted: true)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.errors.map(\.message), ["interrupted"])
        XCTAssertEqual(result.outputs.first, .standardOutput("1\n"), "what it printed stays")
    }

    func testTheHoldersEndIsTheCellsError() {
        let result = result(.programEnded(ChildProcess.Outcome(status: 137, signal: 9, timedOut: false)), record(ended: false))
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.error?.message, "the process holding the state ended while this cell ran (signal 9)")
    }
}
