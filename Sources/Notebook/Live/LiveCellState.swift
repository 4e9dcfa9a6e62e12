import CellProtocol
import Foundation

/// What the live page and the JSON API show of one cell: its source as last run or loaded, its
/// status and its outputs, both structured (for scripts) and as the page's HTML (``html``,
/// filled in by the server as it answers: the engine's states carry none).
public struct LiveCellState: Codable, Equatable, Sendable {
    /// How a cell takes part in the chapter.
    public enum Kind: String, Codable, Sendable {
        /// Runs in the chapter program's main flow (its state is the snapshot's).
        case main
        /// Tagged `.exercise`: runs in a forked copy of the snapshot.
        case exercise
        /// Shown, not run (`.norun`).
        case listing
    }

    /// Where a cell stands.
    public enum Status: String, Codable, Sendable {
        case notRun = "not-run"
        case queued
        case running
        case ran
        case failed
        /// A `.fails` cell (a teaching example) failed, as it should: the chapter goes on.
        case failedAsExpected = "failed-as-expected"
        /// Its source, or a main cell before it, changed since its outputs were made.
        case stale
        case skipped
    }

    public var id: String
    /// The cell's position among the chapter's cells.
    public var index: Int
    /// The Markdown line of the source's first line.
    public var line: Int
    public var source: String
    public var kind: Kind
    public var status: Status
    public var outputs: [LiveOutput]
    /// The outputs as the page shows them (the weave stage's HTML); empty until the server
    /// renders it (``HTMLWeaver/outputsHTML(_:note:)``).
    public var html: String
    /// Wall time of the last run.
    public var seconds: Double?
    /// Unix time at which the outputs were made.
    public var ranAt: Double?
    /// Why it is skipped, not run or stale.
    public var note: String?
    /// While it is queued or runs: its last progress line (a training epoch), its figure so far
    /// (SVG), and the Unix time it started, so that a page loaded mid-run shows what the events
    /// showed.
    public var progress: String?
    public var liveFigure: String?
    public var startedAt: Double?

    public init(id: String, index: Int, line: Int, source: String, kind: Kind, status: Status,
                outputs: [LiveOutput] = [], html: String = "", seconds: Double? = nil, ranAt: Double? = nil,
                note: String? = nil) {
        self.id = id
        self.index = index
        self.line = line
        self.source = source
        self.kind = kind
        self.status = status
        self.outputs = outputs
        self.html = html
        self.seconds = seconds
        self.ranAt = ranAt
        self.note = note
    }
}

/// One output of a cell in the JSON API: `{"type": "stdout", "text": ...}`, `{"type": "table",
/// "header": [...], "rows": [[...]]}`, `{"type": "figure", "svg": ...}`, `{"type": "check",
/// "text": ...}`, `{"type": "error", "text": headline, "file", "line", "column", "details"}`.
public struct LiveOutput: Codable, Equatable, Sendable {
    /// `stdout`, `stderr`, `text`, `table`, `figure`, `check` or `error`.
    public var type: String
    public var text: String?
    public var header: [String]?
    public var rows: [[String]]?
    public var svg: String?
    /// A figure's name (the chapter's file name and its number: `rnn-scratch-fig1`).
    public var name: String?
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var details: String?

    public init(type: String, text: String? = nil, header: [String]? = nil, rows: [[String]]? = nil,
                svg: String? = nil, name: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil, details: String? = nil) {
        self.type = type
        self.text = text
        self.header = header
        self.rows = rows
        self.svg = svg
        self.name = name
        self.file = file
        self.line = line
        self.column = column
        self.details = details
    }
}

/// The whole chapter as the live page shows it (`GET /api/chapter`).
public struct LiveChapterState: Codable, Equatable, Sendable {
    /// Identifies the chapter file's content as loaded (a hash of its bytes).
    public var version: String
    public var path: String
    public var snapshot: SnapshotState
    public var cells: [LiveCellState]

    public init(version: String, path: String, snapshot: SnapshotState, cells: [LiveCellState]) {
        self.version = version
        self.path = path
        self.snapshot = snapshot
        self.cells = cells
    }
}

/// Something the page should know at once, sent on the event stream.
public enum LiveEvent: Equatable, Sendable {
    /// A cell's state changed (started, new output, finished, went stale).
    case cell(LiveCellState)
    /// A progress line of a running cell (a training epoch).
    case progress(cellID: String, line: String)
    /// The training figure so far, drawn as SVG, while the cell runs.
    case figure(cellID: String, svg: String)
    /// The snapshot's state changed.
    case snapshot(SnapshotState)
    /// The chapter file changed on disk; `version` is its new content's.
    case fileChanged(version: String)

    /// The event's name on the stream (server-sent events' `event:` field).
    public var name: String {
        switch self {
        case .cell: return "cell"
        case .progress: return "progress"
        case .figure: return "figure"
        case .snapshot: return "snapshot"
        case .fileChanged: return "file-changed"
        }
    }

    /// The event's data as one line of JSON.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func encode<T: Encodable>(_ value: T) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
        switch self {
        case let .cell(state): return encode(state)
        case let .progress(id, line): return encode(["id": id, "line": line])
        case let .figure(id, svg): return encode(["id": id, "svg": svg])
        case let .snapshot(state): return encode(["snapshot": state.rawValue])
        case let .fileChanged(version): return encode(["version": version])
        }
    }
}

/// What a finished run of one cell answers (`POST /api/cells/ID/run`).
public struct LiveRunAnswer: Codable, Equatable, Sendable {
    public var status: LiveCellState.Status
    public var outputs: [LiveOutput]
    /// The outputs as the page shows them; empty until the server renders it.
    public var html: String
    public var seconds: Double

    public init(status: LiveCellState.Status, outputs: [LiveOutput], html: String = "", seconds: Double) {
        self.status = status
        self.outputs = outputs
        self.html = html
        self.seconds = seconds
    }
}

/// Why the live session refused a request.
public enum LiveSessionError: Error, Equatable, CustomStringConvertible {
    /// No cell has this id.
    case unknownCell(String)
    /// The file changed on disk since `expected` was loaded: nothing was written.
    case versionConflict(expected: String, current: String)
    /// The edit cannot be saved as asked (it would close the fence, the cell moved...).
    case unsavable(String)
    /// A listing cannot run.
    case notRunnable(String)

    public var description: String {
        switch self {
        case let .unknownCell(id): return "no cell has the id '\(id)'"
        case let .versionConflict(expected, current):
            return "the chapter changed on disk since it was loaded (version \(expected), now \(current)); nothing was saved"
        case let .unsavable(reason): return reason
        case let .notRunnable(id): return "cell '\(id)' is shown only (.norun) and cannot run"
        }
    }
}
