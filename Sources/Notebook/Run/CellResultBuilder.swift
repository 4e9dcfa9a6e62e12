import CellProtocol
import Foundation

/// Turns the collected per-cell records and the way the program ended into one result per cell:
/// which cell failed, with what message at which chapter line, and which were not reached.
struct CellResultBuilder {
    let chapter: Chapter
    let plans: [CellPlan]
    let records: [Int: OutputCollector.CellRecord]
    let openCell: Int?
    let outcome: ChildProcess.Outcome
    let timeLimit: Double?

    func build() -> [CellResult] {
        var results: [CellResult] = []
        var stopped = false
        for (cell, plan) in zip(chapter.cells, plans) {
            if case let .skip(reason) = plan {
                results.append(CellResult(index: cell.index, status: .skipped, note: reason))
                continue
            }
            let record = records[cell.index]
            if stopped || record?.began == nil {
                results.append(CellResult(index: cell.index, status: .notRun,
                                          note: stopped ? "not run: an earlier cell failed" : "not run: the program ended before this cell"))
                stopped = true
                continue
            }
            var result = CellResult(index: cell.index, status: .ok, outputs: record!.outputs + truncationNotes(record!),
                                    seconds: record!.seconds, started: record!.began, ended: record!.ended)
            if cell.index == openCell {
                // The program died inside this cell.
                result.status = .failed
                result.outputs = cleaned(record!.outputs) + [.error(error(for: cell, record: record!))]
                stopped = true
            } else if let status = record?.isolatedExit {
                let error = self.error(for: cell, record: record!, isolatedStatus: status)
                result.outputs = cleaned(record!.outputs) + [.error(error)]
                result.status = cell.tags.expectedToFail ? .failedAsExpected : .failed
            } else if cell.tags.expectedToFail {
                result.status = .failed
                result.outputs.append(.error(CellError(message: "this cell is tagged .fails but ran without error",
                                                       file: chapter.path, line: cell.line)))
            }
            // An error the runner added while collecting (a result that could not be read) is
            // the cell's failure too: the page must not call it ok.
            if result.status == .ok, !result.errors.isEmpty { result.status = .failed }
            results.append(result)
        }
        return results
    }

    /// A note for each stream whose text went past the limit.
    private func truncationNotes(_ record: OutputCollector.CellRecord) -> [CellOutput] {
        [true, false].compactMap { isOutput in
            let dropped = record.droppedBytes[isOutput, default: 0]
            guard dropped > 0 else { return nil }
            return .standardError("[d2l-run: \(dropped) more bytes of standard \(isOutput ? "output" : "error") not shown;"
                                  + " the limit is \(record.keptBytes[isOutput, default: 0]) bytes per cell]\n")
        }
    }

    /// The outputs without the crash report's raw lines.
    private func cleaned(_ outputs: [CellOutput]) -> [CellOutput] {
        outputs.compactMap { output in
            guard case let .standardError(text) = output else { return output }
            let remaining = CrashReport(standardError: text, chapterPath: chapter.path).remainingText
            return remaining.isEmpty ? nil : .standardError(remaining + "\n")
        }
    }

    private func error(for cell: Cell, record: OutputCollector.CellRecord, isolatedStatus: Int32? = nil) -> CellError {
        let standardError = record.outputs.compactMap { output -> String? in
            if case let .standardError(text) = output { return text }
            return nil
        }.joined()
        let crash = CrashReport(standardError: standardError, chapterPath: chapter.path)
        let details = crash.frames.count > 1 ? "called from " + crash.frames.dropFirst().joined(separator: ", ") : ""
        if let failure = record.failure {
            // A failure reported after a crash it saw (a side-by-side task's) names the crash too.
            guard let fatal = crash.message else {
                return CellError(message: failure.message, file: chapter.path, line: chapterLine(failure.line, cell: cell))
            }
            return CellError(message: "\(failure.message): \(fatal)", file: chapter.path,
                             line: crash.line ?? chapterLine(failure.line, cell: cell), details: details)
        }
        let status = isolatedStatus ?? outcome.status
        let message: String
        if let timeLimit, isolatedStatus == nil {
            message = "stopped after the time limit of \(Int(timeLimit)) s"
        } else if let fatal = crash.message {
            message = fatal
        } else if let signal = isolatedStatus.map({ $0 > 128 ? $0 - 128 : 0 }) ?? outcome.signal, signal > 0 {
            message = "crashed with signal \(signal) (\(String(cString: strsignal(signal))))"
        } else {
            message = "the program exited with status \(status)"
        }
        return CellError(message: message, file: chapter.path, line: crash.line ?? cell.line, details: details)
    }

    /// A failure's line, if it is in the chapter (`#fileID` names it `ChapterProgram/<file>`).
    private func chapterLine(_ line: Int?, cell: Cell) -> Int {
        guard let line, cell.lines.contains(line) || chapter.cells.contains(where: { $0.lines.contains(line) }) else {
            return cell.line
        }
        return line
    }
}
