import JupyterKernel

/// A CellExecutor for the tests only: it runs no Swift. Code containing "error" fails;
/// "wait for interrupt" runs until `interrupt`; any other code is answered with one output of
/// each kind, echoing the code. It records calls.
public actor ScriptedExecutor: CellExecutor {
    public init() {}

    public private(set) var executedCode: [String] = []
    public private(set) var interrupts = 0
    public private(set) var shutdowns: [Bool] = []

    public func execute(code: String, silent: Bool, publish: @escaping @Sendable (IOPubEvent) -> Void) async -> ExecutionOutcome {
        executedCode.append(code)
        if code == "wait for interrupt" {
            // Sleeping gives the actor up, so that interrupt() can come in from control.
            while interrupts == 0 { try? await Task.sleep(nanoseconds: 5_000_000) }
            return .error(ename: "Interrupted", evalue: "the cell was interrupted", traceback: [])
        }
        if code.contains("error") {
            publish(.stream(name: "stderr", text: "about to fail\n"))
            return .error(ename: "CellError", evalue: "failed: \(code)", traceback: ["cell line 1", code])
        }
        publish(.stream(name: "stdout", text: "ran \(code)\n"))
        publish(.displayData(data: ["text/plain": .string(code), "text/html": .string("<b>\(code)</b>")], metadata: [:], displayID: "figure"))
        publish(.updateDisplayData(data: ["text/plain": "updated"], metadata: [:], displayID: "figure"))
        publish(.executeResult(data: ["text/plain": .string("\"\(code)\"")], metadata: [:]))
        return .ok
    }

    public func interrupt() async { interrupts += 1 }

    public func complete(code: String, cursor: Int) async -> Completion {
        Completion(matches: ["print", "precondition"], cursorStart: max(0, cursor - 2), cursorEnd: cursor)
    }

    /// Knows one name, `print`, wherever the cursor is in it.
    public func inspect(code: String, cursor: Int) async -> String? {
        code.contains("print") ? "func print(_ items: Any...)" : nil
    }

    public func shutdown(restart: Bool) async { shutdowns.append(restart) }
}
