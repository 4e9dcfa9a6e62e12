import Foundation

/// The in-band protocol between a chapter's running program and the runner.
///
/// The generated program writes markers on its (unbuffered) standard output and standard error.
/// Every marker starts with ``CellMarker/prefix`` and the run's secret, and ends with a newline,
/// so a marker can follow text that did not end its line. The runner splits the streams at the
/// markers: everything between `begin i` and the next marker belongs to cell `i`.
///
/// The secret is a random word the runner makes for each run and hands the program on a pipe
/// (descriptor 3), never in its environment or arguments: a cell printing anything, marker-like
/// lines included, cannot end a cell, start one or add results, as it cannot know the secret.
public enum CellMarker: Equatable, Sendable {
    /// Cell `index` starts; `unixTime` is the wall clock when it did.
    case begin(index: Int, unixTime: Double)
    /// Cell `index` finished normally after `seconds`.
    case end(index: Int, seconds: Double, unixTime: Double)
    /// A rich result (figure, table, shape check...) of the current cell.
    case display(DisplayItem)
    /// The current cell failed with a message the library knows how to phrase (a failed check,
    /// a thrown error reaching the top level), at a source location when known.
    case failure(CellFailure)
    /// An isolated cell (run in a forked child) ended abnormally; reported by the parent.
    case isolatedExit(index: Int, status: Int32)
    /// A progress line (training epochs) for the terminal, not the page.
    case progress(String)
    /// A program holding state (a live chapter program after its main cells, the kernel's base)
    /// waits for ``RunCellCommand``s.
    case snapshotReady
    /// The figure of the running cell so far (the training board after each epoch), for the
    /// live page; the cell's outputs keep only the figure it displays at its end.
    case liveFigure(Figure)
    /// Cell `index` runs in the forked child `pid` (its own process group) of the process
    /// holding the state before it: the chain of holders, which for `serve` is the snapshot alone.
    case chainChild(index: Int, pid: Int32)
    /// Cell `index`, run to keep its state, ran to its end: its process `pid` now holds the
    /// state. Sent on both streams (`onStandardOutput` says which), as the last word of the cell
    /// on each.
    case chainHolder(index: Int, pid: Int32, onStandardOutput: Bool)
    /// The process that ran cell `index`, or held the state after it, ended with `status`
    /// (128 + signal if killed; 0 when a cell run to discard its state ended): `pid` holds the
    /// state again, as it was before that cell. Sent on both streams, like
    /// ``chainHolder(index:pid:onStandardOutput:)``.
    case chainResumed(index: Int, pid: Int32, status: Int32, onStandardOutput: Bool)
    /// The value of a kernel cell's last expression (Jupyter's `execute_result`).
    case cellValue(DisplayItem)

    /// The bytes that open every marker: a control character no program prints by accident.
    public static let prefix = "\u{1}D2L:"

    /// The C symbol of cell `index`'s entry point in its library: one name per cell, as a kept
    /// cell's library stays loaded (`RTLD_GLOBAL`) in the processes that follow it.
    public static func cellEntrySymbol(_ index: Int) -> String { "d2l_cell_\(index)" }

    /// What opens every marker of a run whose secret is `secret`.
    public static func opening(secret: String) -> String { "\(prefix)\(secret) " }

    /// The marker as one line of text, for a run whose secret is `secret`.
    public func line(secret: String) -> String {
        Self.opening(secret: secret) + body + "\n"
    }

    /// The marker's kind and fields, as ``init(body:)`` reads them.
    public var body: String {
        switch self {
        case let .begin(index, unixTime): return "begin \(index) \(unixTime)"
        case let .end(index, seconds, unixTime): return "end \(index) \(seconds) \(unixTime)"
        case let .display(item): return "display \(Self.payload(item))"
        case let .failure(failure): return "failure \(Self.payload(failure))"
        case let .isolatedExit(index, status): return "isolated-exit \(index) \(status)"
        case let .progress(text): return "progress \(text.replacingNewlines)"
        case .snapshotReady: return "snapshot-ready"
        case let .liveFigure(figure): return "live-figure \(Self.payload(figure))"
        case let .chainChild(index, pid): return "chain-child \(index) \(pid)"
        case let .chainHolder(index, pid, onStandardOutput):
            return "chain-holder \(index) \(pid) \(onStandardOutput ? "out" : "err")"
        case let .chainResumed(index, pid, status, onStandardOutput):
            return "chain-resumed \(index) \(pid) \(status) \(onStandardOutput ? "out" : "err")"
        case let .cellValue(item): return "cell-value \(Self.payload(item))"
        }
    }

    /// A result's JSON. Should encoding ever fail, the marker still carries a payload the
    /// runner reads, saying what could not be shown, never a marker the runner cannot parse
    /// (which the page would show as raw text, secret and all).
    private static func payload(_ item: DisplayItem) -> String {
        do {
            return try JSONLine.encode(item)
        } catch {
            return (try? JSONLine.encode(DisplayItem.text(Self.unencodable("result", error)))) ?? #"{"text":{"_0":""}}"#
        }
    }

    private static func payload(_ failure: CellFailure) -> String {
        (try? JSONLine.encode(failure)) ?? (try? JSONLine.encode(CellFailure(message: failure.message))) ?? #"{"message":""}"#
    }

    private static func payload(_ figure: Figure) -> String {
        do {
            return try JSONLine.encode(figure)
        } catch {
            return (try? JSONLine.encode(Figure(title: Self.unencodable("figure", error), xLabel: "", yLabel: "", series: [])))
                ?? #"{"logY":false,"series":[],"title":"","xLabel":"","yLabel":""}"#
        }
    }

    private static func unencodable(_ what: String, _ error: Error) -> String {
        "d2l: this \(what) could not be shown: its data could not be encoded (\(error))"
    }

    /// A new random secret for a run: 32 hexadecimal digits.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// Parses the body of a marker (the text after ``prefix``, without the newline).
    public init?(body: Substring) {
        let space = body.firstIndex(of: " ") ?? body.endIndex
        let kind = body[..<space]
        let rest = space < body.endIndex ? body[body.index(after: space)...] : ""
        let fields = rest.split(separator: " ")
        switch kind {
        case "begin":
            guard fields.count == 2, let i = Int(fields[0]), let t = Double(fields[1]) else { return nil }
            self = .begin(index: i, unixTime: t)
        case "end":
            guard fields.count == 3, let i = Int(fields[0]), let s = Double(fields[1]),
                  let t = Double(fields[2]) else { return nil }
            self = .end(index: i, seconds: s, unixTime: t)
        case "display":
            guard let item = JSONLine.decode(DisplayItem.self, String(rest)) else { return nil }
            self = .display(item)
        case "failure":
            guard let failure = JSONLine.decode(CellFailure.self, String(rest)) else { return nil }
            self = .failure(failure)
        case "isolated-exit":
            guard fields.count == 2, let i = Int(fields[0]), let s = Int32(fields[1]) else { return nil }
            self = .isolatedExit(index: i, status: s)
        case "progress":
            self = .progress(String(rest))
        case "snapshot-ready":
            self = .snapshotReady
        case "live-figure":
            guard let figure = JSONLine.decode(Figure.self, String(rest)) else { return nil }
            self = .liveFigure(figure)
        case "chain-child":
            guard fields.count == 2, let i = Int(fields[0]), let pid = Int32(fields[1]) else { return nil }
            self = .chainChild(index: i, pid: pid)
        case "chain-holder":
            guard fields.count == 3, let i = Int(fields[0]), let pid = Int32(fields[1]),
                  let stream = Self.stream(fields[2]) else { return nil }
            self = .chainHolder(index: i, pid: pid, onStandardOutput: stream)
        case "chain-resumed":
            guard fields.count == 4, let i = Int(fields[0]), let pid = Int32(fields[1]), let s = Int32(fields[2]),
                  let stream = Self.stream(fields[3]) else { return nil }
            self = .chainResumed(index: i, pid: pid, status: s, onStandardOutput: stream)
        case "cell-value":
            guard let item = JSONLine.decode(DisplayItem.self, String(rest)) else { return nil }
            self = .cellValue(item)
        default:
            return nil
        }
    }
}

extension CellMarker {
    /// `out` (standard output) or `err`.
    private static func stream(_ field: Substring) -> Bool? {
        field == "out" ? true : field == "err" ? false : nil
    }
}

extension String {
    fileprivate var replacingNewlines: String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
