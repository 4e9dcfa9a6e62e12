/// What runs a cell's code for the kernel: the kernel speaks the protocol, the executor runs.
///
/// The kernel calls `execute` for one cell at a time, in the order the shell requests arrive;
/// `interrupt` may come at any time from the control channel while a cell runs, as may
/// `shutdown`.
public protocol CellExecutor: Sendable {
    /// Runs `code`, publishing its outputs through `publish` as they appear, and says how it
    /// ended. `silent` asks for no `execute_result` (the kernel drops one anyway).
    func execute(code: String, silent: Bool, publish: @escaping @Sendable (IOPubEvent) -> Void) async -> ExecutionOutcome

    /// Stops the running cell, if any; its `execute` then returns an error outcome.
    func interrupt() async

    /// Completions at `cursor` (a character offset, in Unicode scalars, into `code`).
    func complete(code: String, cursor: Int) async -> Completion

    /// What is known of the name at `cursor` (Unicode scalars into `code`), as plain text:
    /// Jupyter's inspector (Shift+Tab). Nil when nothing is.
    func inspect(code: String, cursor: Int) async -> String?

    /// Ends everything the executor started: the kernel process exits next. With `restart`
    /// the front end starts a new kernel process, which begins with a fresh state.
    func shutdown(restart: Bool) async
}

/// An output a running cell publishes on iopub.
public enum IOPubEvent: Equatable, Sendable {
    /// Text on `stdout` or `stderr`.
    case stream(name: String, text: String)
    /// A rich output (MIME type → value), optionally with an id to update it later.
    case displayData(data: [String: JSONValue], metadata: [String: JSONValue], displayID: String?)
    /// Replaces the output shown earlier under `displayID`.
    case updateDisplayData(data: [String: JSONValue], metadata: [String: JSONValue], displayID: String)
    /// The value of the cell's last expression; the kernel adds the execution count.
    case executeResult(data: [String: JSONValue], metadata: [String: JSONValue])
    /// Clears the cell's outputs (when the next one arrives, if `wait`).
    case clearOutput(wait: Bool)
}

/// How a cell's execution ended.
public enum ExecutionOutcome: Equatable, Sendable {
    case ok
    /// The cell failed: `ename` names the kind (e.g. "CompileError"), `evalue` says what went
    /// wrong, and `traceback` holds the lines a front end shows.
    case error(ename: String, evalue: String, traceback: [String])
}

/// Completion candidates for the text between `cursorStart` and `cursorEnd`.
public struct Completion: Equatable, Sendable {
    public var matches: [String]
    public var cursorStart: Int
    public var cursorEnd: Int

    public init(matches: [String], cursorStart: Int, cursorEnd: Int) {
        self.matches = matches
        self.cursorStart = cursorStart
        self.cursorEnd = cursorEnd
    }
}
