import Foundation
import JupyterKernel
import Notebook

/// The kernel engine (``KernelEngine``: cells chained in forked state holders) as the Jupyter
/// kernel's executor: the engine's events become iopub messages, its outcomes execute replies.
struct KernelExecutor: CellExecutor {
    let engine: KernelEngine

    /// The executor for this `d2l-run`: cells are compiled against the library built beside
    /// it, in a folder of this kernel's own. The base program is compiled and started at once,
    /// so that the first cell does not wait for it.
    ///
    /// - Throws: `ToolchainError` when the library or swiftc cannot be found.
    static func forThisRunner() throws -> KernelExecutor {
        ProcessReaper.prepare()
        let toolchain = try Toolchain.locate(executablePath: CommandLine.executablePath)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-kernel-\(getpid())")
        let engine = KernelEngine(configuration: .init(toolchain: toolchain, directory: directory))
        Task { try? await engine.start() }
        return KernelExecutor(engine: engine)
    }

    func execute(code: String, silent: Bool, publish: @escaping @Sendable (IOPubEvent) -> Void) async -> ExecutionOutcome {
        let outcome = await engine.execute(code) { publish(Self.iopubEvent($0)) }
        switch outcome {
        case .ok: return .ok
        case let .failed(error): return .error(ename: error.kind.rawValue, evalue: error.message, traceback: error.traceback)
        }
    }

    func interrupt() async { await engine.interrupt() }

    func complete(code: String, cursor: Int) async -> Completion {
        let (matches, start) = await engine.complete(code, cursor: cursor)
        return Completion(matches: matches, cursorStart: start, cursorEnd: max(start, min(cursor, code.unicodeScalars.count)))
    }

    func inspect(code: String, cursor: Int) async -> String? { await engine.inspect(code, cursor: cursor) }

    /// With `restart` too: Jupyter then starts a new kernel process, whose engine starts afresh.
    func shutdown(restart: Bool) async { await engine.shutdown() }

    /// An engine event as the iopub message that carries it.
    static func iopubEvent(_ event: KernelEvent) -> IOPubEvent {
        func bundle(_ data: [String: String]) -> [String: JSONValue] { data.mapValues { .string($0) } }
        switch event {
        case let .stream(name, text): return .stream(name: name, text: text)
        case let .display(data, displayID): return .displayData(data: bundle(data), metadata: [:], displayID: displayID)
        case let .updateDisplay(data, displayID): return .updateDisplayData(data: bundle(data), metadata: [:], displayID: displayID)
        case let .result(data): return .executeResult(data: bundle(data), metadata: [:])
        }
    }
}
