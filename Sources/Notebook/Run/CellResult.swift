import CellProtocol
import Foundation

/// What one cell produced, in order, and how it ended: the run stage's output, the weave
/// stage's input.
public struct CellResult: Equatable, Sendable, Codable {
    public enum Status: String, Equatable, Sendable, Codable {
        /// Ran to its end.
        case ok
        /// Failed: compile error, crash, thrown error, failed check, time limit.
        case failed
        /// Tagged `.fails` and failed, as intended.
        case failedAsExpected
        /// Not reached because an earlier cell failed.
        case notRun
        /// Not run by design (see ``note``).
        case skipped
    }

    public var index: Int
    public var status: Status
    public var outputs: [CellOutput]
    /// Wall time of the cell, when it ran.
    public var seconds: Double?
    /// Unix times at which it started and ended.
    public var started: Double?
    public var ended: Double?
    /// Why it was skipped or not run.
    public var note: String?
    /// For an exercise not run this time: its last run, whose outputs these are.
    public var previousRun: PreviousRun?

    /// When an exercise's shown outputs were made, and whether they are still current.
    public struct PreviousRun: Equatable, Sendable, Codable {
        /// Unix time of that run.
        public var ranAt: Double
        /// Whether the exercise, or a main cell before it, changed since.
        public var isStale: Bool

        public init(ranAt: Double, isStale: Bool) {
            self.ranAt = ranAt
            self.isStale = isStale
        }

        /// "last run 2026-12-04 11:52 UTC", and why it is stale if it is.
        public var label: String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
            let when = formatter.string(from: Date(timeIntervalSince1970: ranAt))
            return isStale ? "stale: last run \(when), the exercise or the chapter changed since" : "last run \(when)"
        }
    }

    public init(index: Int, status: Status, outputs: [CellOutput] = [], seconds: Double? = nil,
                started: Double? = nil, ended: Double? = nil, note: String? = nil) {
        self.index = index
        self.status = status
        self.outputs = outputs
        self.seconds = seconds
        self.started = started
        self.ended = ended
        self.note = note
    }

    /// The error output, if the cell has one.
    public var error: CellError? { errors.first }

    /// Every error among the outputs, in order.
    public var errors: [CellError] {
        outputs.compactMap { if case let .error(error) = $0 { return error } else { return nil } }
    }
}

/// One piece of a cell's output.
public enum CellOutput: Equatable, Sendable, Codable {
    case standardOutput(String)
    case standardError(String)
    case display(DisplayItem)
    case error(CellError)
}

/// Why a cell failed, located in the chapter when possible.
public struct CellError: Equatable, Sendable, Codable {
    /// What went wrong, in one line.
    public var message: String
    /// The chapter line, when known.
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// More: compiler excerpts, the crashing frames.
    public var details: String

    public init(message: String, file: String? = nil, line: Int? = nil, column: Int? = nil, details: String = "") {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.details = details
    }

    /// `file:line[:column]: message`, the form editors jump to.
    public var headline: String {
        guard let file, let line else { return message }
        return "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// Everything a run of a chapter produced.
public struct RunResult: Equatable, Sendable, Codable {
    public var cells: [CellResult]
    public var compileSeconds: Double
    public var runSeconds: Double
    /// Whether a time limit stopped the program (such results are not cached).
    public var timedOut = false
    /// The data files the program read: the cache holds only while each is unchanged.
    public var dataFiles: [DataFileRecord] = []

    public init(cells: [CellResult], compileSeconds: Double = 0, runSeconds: Double = 0) {
        self.cells = cells
        self.compileSeconds = compileSeconds
        self.runSeconds = runSeconds
    }

    /// Whether every cell that was meant to run ran as intended.
    public var succeeded: Bool { cells.allSatisfy { $0.status != .failed && $0.status != .notRun } }
}

/// A data file a run read, with its content's hash when read.
public struct DataFileRecord: Equatable, Sendable, Codable {
    /// The name the program asked for and the file that answered.
    public var read: DataSearchPath.Read
    public var contentHash: String

    public init(read: DataSearchPath.Read) {
        self.read = read
        var hash = ContentHash()
        hash.combine(fileAt: read.path)
        contentHash = hash.hex
    }

    /// Whether the name still finds the same file in `folders` (an author's file added in
    /// front of a shipped one changes it) with the same content.
    public func isCurrent(in folders: [String]) -> Bool {
        guard DataSearchPath.resolve(read.name, in: folders) == read.path else { return false }
        return DataFileRecord(read: read).contentHash == contentHash
    }
}
