import CellProtocol
import Foundation

/// Splits a running program's two output streams into per-cell outputs at the protocol's
/// markers, as the bytes arrive.
///
/// Memory stays bounded: each cell keeps at most ``limit`` bytes of text per stream and counts
/// the rest; markers are still read after the limit.
final class OutputCollector: @unchecked Sendable {  // its lock guards the records and the parser's state
    struct CellRecord {
        var outputs: [CellOutput] = []
        var began: Double?
        var ended: Double?
        var seconds: Double?
        var failure: CellFailure?
        var isolatedExit: Int32?
        var keptBytes: [Bool: Int] = [:]
        var droppedBytes: [Bool: Int] = [:]
    }

    let limit: Int
    private let lock = NSLock()
    private(set) var records: [Int: CellRecord] = [:]
    /// The cell that began last on standard output (and has not ended), if any.
    private(set) var openCell: Int?
    private var currentCell: [Bool: Int] = [:]
    private var pending: [Bool: [UInt8]] = [true: [], false: []]
    private let onProgress: (String) -> Void
    /// What opens a marker of this run: the prefix and the run's secret.
    private let marker: [UInt8]
    /// Called, outside the lock, with each cell whose record a chunk changed, and with the
    /// live program's own markers (snapshot ready, child started, cell done, live figure).
    private let onChange: (Int) -> Void
    private let onLiveMarker: (CellMarker) -> Void
    private var changedCells: Set<Int> = []
    private var liveMarkers: [CellMarker] = []
    private var progressLines: [String] = []

    init(secret: String, limit: Int = 256 * 1024, onProgress: @escaping (String) -> Void = { _ in },
         onChange: @escaping (Int) -> Void = { _ in }, onLiveMarker: @escaping (CellMarker) -> Void = { _ in }) {
        marker = Array(CellMarker.opening(secret: secret).utf8)
        self.limit = limit
        self.onProgress = onProgress
        self.onChange = onChange
        self.onLiveMarker = onLiveMarker
    }

    /// The record of cell `index` so far.
    func record(_ index: Int) -> CellRecord? {
        lock.lock()
        defer { lock.unlock() }
        return records[index]
    }

    /// Forgets cell `index`'s record, before the cell runs again.
    func reset(_ index: Int) {
        lock.lock()
        defer { lock.unlock() }
        records[index] = nil
    }

    /// Feeds a chunk of standard output (`isOutput`) or standard error.
    func feed(_ bytes: [UInt8], isOutput: Bool) {
        lock.lock()
        feedLocked(bytes, isOutput: isOutput)
        let changed = changedCells, markers = liveMarkers, progress = progressLines
        changedCells = []
        liveMarkers = []
        progressLines = []
        lock.unlock()
        // The handlers run outside the lock: they may ask the collector for records. Changed
        // cells first: a live figure that came with its cell's start is then about a cell the
        // owner already knows is running.
        for cell in changed.sorted() where cell >= 0 { onChange(cell) }
        for line in progress { onProgress(line) }
        for marker in markers { onLiveMarker(marker) }
    }

    private func feedLocked(_ bytes: [UInt8], isOutput: Bool) {
        var data = pending[isOutput]! + bytes
        pending[isOutput] = []
        var textStart = 0
        var i = 0
        while i < data.count {
            guard data[i] == marker[0] else { i += 1; continue }
            guard let newline = data[i...].firstIndex(of: UInt8(ascii: "\n")) else {
                // A marker cut by the chunk boundary: keep it for the next chunk.
                appendText(data[textStart..<i], isOutput: isOutput)
                pending[isOutput] = Array(data[i...])
                return
            }
            let candidate = data[i..<newline]
            if candidate.starts(with: marker) {
                // Only the program knows the secret: a marker it sent is never shown as text,
                // even one this runner cannot read.
                appendText(data[textStart..<i], isOutput: isOutput)
                let body = Substring(String(decoding: candidate.dropFirst(marker.count), as: UTF8.self))
                if let parsed = CellMarker(body: body) {
                    handle(parsed, isOutput: isOutput)
                } else {
                    reportUnreadable(body, isOutput: isOutput)
                }
                textStart = newline + 1
                i = newline + 1
            } else {
                i += 1
            }
        }
        appendText(data[textStart..<data.count], isOutput: isOutput)
        data.removeAll()
    }

    /// Flushes text held back at the end of the streams. A marker the program began but never
    /// ended (it died while writing a large figure) is reported as cut off, not shown.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        for isOutput in [true, false] {
            let held = pending[isOutput]!
            pending[isOutput] = []
            if held.starts(with: marker) {
                reportUnreadable(Substring(String(decoding: held.dropFirst(marker.count).prefix(40), as: UTF8.self)),
                                 isOutput: isOutput, cutOff: true)
            } else {
                appendText(held[...], isOutput: isOutput)
            }
        }
    }

    /// A marker with this run's secret that does not parse: the cell gets an error naming its
    /// kind, never the marker's text (which holds the secret).
    private func reportUnreadable(_ body: Substring, isOutput: Bool, cutOff: Bool = false) {
        let kind = body.prefix { $0 != " " }.prefix(40).filter { $0.isLetter || $0 == "-" }
        let what = kind.isEmpty ? "a result" : "a \(kind) message"
        let why = cutOff ? "was cut off when the program ended" : "could not be read"
        let cell = currentCell[isOutput] ?? -1
        records[cell, default: CellRecord()].outputs.append(
            .error(CellError(message: "d2l-run: \(what) from the program \(why); it is left out")))
        changedCells.insert(cell)
    }

    private func handle(_ marker: CellMarker, isOutput: Bool) {
        switch marker {
        case let .begin(index, time):
            currentCell[isOutput] = index
            if isOutput {
                openCell = index
                records[index, default: CellRecord()].began = time
            }
        case let .end(index, seconds, time):
            records[index, default: CellRecord()].seconds = seconds
            records[index, default: CellRecord()].ended = time
            if openCell == index { openCell = nil }
        case let .display(item):
            guard let cell = currentCell[true] else { return }
            records[cell, default: CellRecord()].outputs.append(.display(item))
        case let .failure(failure):
            guard let cell = currentCell[true] else { return }
            records[cell, default: CellRecord()].failure = failure
        case let .isolatedExit(index, status):
            records[index, default: CellRecord()].isolatedExit = status
        case let .progress(line):
            progressLines.append(line)
        case .snapshotReady, .liveFigure, .chainChild, .chainHolder, .chainResumed, .cellValue:
            liveMarkers.append(marker)
        }
        if case .progress = marker {} else if let cell = currentCell[true] { changedCells.insert(cell) }
    }

    private func appendText(_ bytes: ArraySlice<UInt8>, isOutput: Bool) {
        guard !bytes.isEmpty else { return }
        let cell = currentCell[isOutput] ?? -1
        var record = records[cell, default: CellRecord()]
        let kept = record.keptBytes[isOutput, default: 0]
        let room = max(0, limit - kept)
        let taken = bytes.prefix(room)
        record.droppedBytes[isOutput, default: 0] += bytes.count - taken.count
        record.keptBytes[isOutput] = kept + taken.count
        if !taken.isEmpty {
            let text = String(decoding: taken, as: UTF8.self)
            switch record.outputs.last {
            case let .standardOutput(previous)? where isOutput:
                record.outputs[record.outputs.count - 1] = .standardOutput(previous + text)
            case let .standardError(previous)? where !isOutput:
                record.outputs[record.outputs.count - 1] = .standardError(previous + text)
            default:
                record.outputs.append(isOutput ? .standardOutput(text) : .standardError(text))
            }
        }
        records[cell] = record
        changedCells.insert(cell)
    }
}
