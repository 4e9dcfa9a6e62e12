import CellProtocol
import Foundation

/// The engine under both `d2l-run serve` and `d2l-run kernel`: a running program that holds
/// state and runs cells in forks of itself (``CellRuntime/serveCells()``). It owns the
/// processes: it runs a cell, keeping its state (a kernel cell: the child holds the state from
/// then on) or discarding it (an exercise on `serve`'s snapshot), interrupts the running cell,
/// rolls back when a holder dies, and stops everything.
///
/// The program is a live chapter program (its main cells run first; ``init(program:observer:)``'s
/// observer hears them) or the kernel's base program. A cell is a library compiled against the
/// held state's module, with the entry point ``CellMarker/cellEntrySymbol(_:)``.
///
/// ```swift
/// let host = try await CellHost.start(executable: path, moduleDirectory: modules, settings: settings, dataFolders: folders)
/// guard await host.waitUntilServing() else { ... }
/// let run = await host.run(cell: 1, library: library, keepingStateAs: "Cell_1")
/// ```
actor CellHost {
    /// How a cell's run ended, and what it wrote.
    struct Run: Sendable {
        var end: ChainMonitor.RunEnd
        var record: OutputCollector.CellRecord
        /// Whether ``interrupt()`` ended it.
        var interrupted: Bool

        /// The cell's result as the page and notebook show it: its outputs, and how its process
        /// ended as an error at the cell's line (a crash report's message and line, a signal, an
        /// exit status, "interrupted"). `cell` is as the run numbered it; `chapter` holds it alone.
        func result(cell: Cell, chapter: Chapter) -> CellResult {
            var record = record
            switch end {
            case .holder:
                break
            case let .resumed(_, status):
                // A cell whose process ended before its end marker failed, whatever the status.
                if status != 0 || record.ended == nil { record.isolatedExit = status }
            case let .programEnded(outcome):
                return CellResult(index: cell.index, status: .failed, outputs: record.outputs + [.error(CellError(
                    message: "the process holding the state ended while this cell ran (\(outcome.summary))",
                    file: chapter.path, line: cell.line))])
            }
            var result = CellResultBuilder(chapter: chapter, plans: [.runIsolated], records: [cell.index: record], openCell: nil,
                                           outcome: ChildProcess.Outcome(status: 0, signal: nil, timedOut: false),
                                           timeLimit: nil).build()[0]
            if interrupted {
                result.status = .failed
                result.outputs.removeAll { if case .error = $0 { return true } else { return false } }
                result.outputs.append(.error(CellError(message: "interrupted", file: chapter.path, line: cell.line)))
            } else if record.isolatedExit == 0, record.failure == nil, let last = result.outputs.indices.last,
                      case var .error(error) = result.outputs[last] {
                error.message = "the cell ended its own process (exit status 0)"
                result.outputs[last] = .error(error)
            }
            return result
        }
    }

    /// The records of everything the program wrote, by cell.
    nonisolated let collector: OutputCollector
    /// The folder of the program's module, which cell libraries are compiled against.
    nonisolated let moduleDirectory: URL
    private let program: LiveProgram
    private let monitor: ChainMonitor
    private var chain: HolderChain?

    private init(program: LiveProgram, monitor: ChainMonitor) {
        self.program = program
        self.monitor = monitor
        collector = program.collector
        moduleDirectory = program.moduleDirectory
    }

    /// Starts `executable` (off the cooperative pool: spawning blocks); `observer` hears
    /// everything the program reports, after the host has.
    static func start(executable: String, moduleDirectory: URL, settings: RunSettings, dataFolders: [String],
                      observer: LiveProgram.Handlers? = nil) async throws -> CellHost {
        let monitor = ChainMonitor(observer: observer)
        let program = try await offThePool {
            try LiveProgram(executable: executable, moduleDirectory: moduleDirectory, settings: settings,
                            dataFolders: dataFolders, handlers: monitor.handlers)
        }
        monitor.collector = program.collector
        return CellHost(program: program, monitor: monitor)
    }

    /// Waits until the program serves cells (a live chapter program: after its main cells);
    /// false if it ended first.
    func waitUntilServing() async -> Bool {
        guard await monitor.waitUntilReady(), let pid = program.processID else { return false }
        chain = HolderChain(basePID: pid)
        return true
    }

    /// The processes holding the state, base first.
    var holderPIDs: [Int32] { chain?.links.map(\.pid) ?? [] }

    /// The module of the process that runs the next cell (the last kept cell's).
    var holderModule: String? { chain?.holder.module }

    /// How the program ended, once it has.
    nonisolated var exit: ChildProcess.Outcome? { monitor.exit }

    /// The data files the program has read so far.
    nonisolated var dataFiles: [DataFileRecord] { program.dataFiles }

    /// Runs cell `index` from `library` in a fork of the holder and waits for its end. With a
    /// module name, a cell that ends normally keeps its state (its process is the holder from
    /// then on, and the next cell imports `module`); without, its state is discarded. A
    /// `translator` publishes the cell's outputs as they come.
    func run(cell index: Int, library: String, keepingStateAs module: String? = nil,
             translator: KernelEventTranslator? = nil,
             publish: @escaping @Sendable (KernelEvent) -> Void = { _ in }) async -> Run {
        for pid in monitor.takeIdleResumes() { chain?.resumed(pid: pid) }
        collector.reset(index)
        monitor.follow(cell: index, translator: translator, publish: publish)
        defer { monitor.stopFollowing() }
        let end: ChainMonitor.RunEnd
        if program.send(RunCellCommand(index: index, keepsState: module != nil, library: library)) {
            end = await monitor.waitForEnd()
        } else {
            await monitor.waitUntilExited()
            end = .programEnded(monitor.exit ?? ChildProcess.Outcome(status: 0, signal: nil, timedOut: false))
        }
        switch end {
        case let .holder(pid): chain?.succeeded(cell: index, module: module ?? "", pid: pid)
        case let .resumed(pid, _): chain?.resumed(pid: pid)
        case .programEnded: chain = nil
        }
        let interrupted = monitor.followed.interrupted
        if interrupted { ProcessReaper.endStrays() }
        return Run(end: end, record: collector.record(index) ?? OutputCollector.CellRecord(), interrupted: interrupted)
    }

    /// Ends the running cell's process group, at once or as soon as its process is known. True
    /// if a cell was running.
    @discardableResult
    nonisolated func interrupt() -> Bool { monitor.interrupt() }

    /// Ends the program at once (a live chapter program's main cells, interrupted) with the
    /// cell it runs; the holders after the base are ``stop()``'s to end.
    nonisolated func terminate() {
        program.stop(children: monitor.followed.childPID.map { [$0] } ?? [])
    }

    /// Ends every process the host started and waits until the program's streams are read.
    func stop() async {
        var children = holderPIDs
        if let running = monitor.followed.childPID { children.append(running) }
        monitor.interrupt()
        program.stop(children: children)
        await monitor.waitUntilExited()
        ProcessReaper.endStrays()
        chain = nil
    }
}
