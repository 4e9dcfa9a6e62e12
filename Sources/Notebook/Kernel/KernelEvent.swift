/// An output of a running kernel cell, as Jupyter shows it: the engine's side of iopub.
public enum KernelEvent: Equatable, Sendable {
    /// Text the cell wrote on `stdout` or `stderr` (its training's epoch lines on `stdout`).
    case stream(name: String, text: String)
    /// A rich output: MIME type → value (a table's `text/html` beside its `text/plain`, a
    /// figure's `image/svg+xml`). With `displayID`, later updated in place.
    case display(data: [String: String], displayID: String?)
    /// Replaces what was shown under `displayID` (the training figure, each epoch).
    case updateDisplay(data: [String: String], displayID: String)
    /// The value of the cell's last expression (Jupyter's `execute_result`).
    case result(data: [String: String])
}
