/// How a kernel cell ended.
public enum KernelCellOutcome: Equatable, Sendable {
    /// It ran to its end: its declarations and state are kept for the cells after it.
    case ok
    /// It did not: the state is as it was before it.
    case failed(KernelCellError)
}

/// Why a kernel cell failed, with its line in the cell (there is no Markdown file in a kernel).
public struct KernelCellError: Equatable, Sendable {
    /// What kind of failure, as Jupyter's `ename`.
    public enum Kind: String, Equatable, Sendable {
        case compileError = "CompileError"
        case runtimeError = "RuntimeError"
        case interrupted = "Interrupted"
        case kernelError = "KernelError"
    }

    public var kind: Kind
    /// One line: where and what (`line 2: Fatal error: boom; the state is as it was before this cell`).
    public var message: String
    /// What a front end shows under it: the compiler's line and caret, the calling frames.
    public var details: [String]

    public init(kind: Kind, message: String, details: [String] = []) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    /// What every failed cell's error ends with: nothing it did is kept.
    public static let stateNote = "the state is as it was before this cell"

    /// The error of a cell's `CellError` (a compile error, a crash), located by its line in
    /// the cell.
    init(kind: Kind, _ error: CellError) {
        let location = error.line.map { line in "line \(line)" + (error.column.map { ":\($0)" } ?? "") + ": " } ?? ""
        self.init(kind: kind, message: location + error.message + "; " + Self.stateNote,
                  details: error.details.isEmpty ? [] : error.details.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    /// The lines of Jupyter's `traceback`.
    public var traceback: [String] { [message] + details }
}
