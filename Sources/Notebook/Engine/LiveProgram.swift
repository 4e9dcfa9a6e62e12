import CellProtocol
import Foundation

/// One running serving program: a live chapter program (`d2l-run serve`), whose main cells run
/// before it serves, or the kernel's base program. It holds the state and runs cell libraries
/// on command, each in a forked child (``CellRuntime/serveCells()``); ``CellHost`` drives it.
///
/// Everything the program writes goes through an ``OutputCollector``; the owner hears about
/// changed cells, the live markers and the program's end through the handlers.
final class LiveProgram: @unchecked Sendable {  // its lock guards the pid, command pipe and exit flag
    struct Handlers: Sendable {
        /// A cell's record changed (new text, a display, its end).
        var onChange: @Sendable (Int) -> Void
        /// A progress line (training epochs).
        var onProgress: @Sendable (String) -> Void
        /// A live marker: state ready, a cell's child started, its end, a live figure, a value.
        var onLiveMarker: @Sendable (CellMarker) -> Void
        /// The program ended, with how.
        var onExit: @Sendable (ChildProcess.Outcome) -> Void
    }

    /// The folder of the program's module, which cell libraries are compiled against.
    let moduleDirectory: URL
    let collector: OutputCollector
    private let lock = NSLock()
    private var pid: pid_t?
    private var commandWriter: Int32 = -1
    private(set) var exited = false
    /// The program's process, once started.
    var processID: pid_t? { lock.withLock { pid } }

    /// Where the program logs the data files it reads (``DataSearchPath``).
    let dataLog: URL

    /// The data files the program has read so far.
    var dataFiles: [DataFileRecord] {
        DataSearchPath.reads(inLog: (try? String(contentsOf: dataLog, encoding: .utf8)) ?? "").map { DataFileRecord(read: $0) }
    }

    /// Starts `executable` on a thread of its own; returns once it is started.
    init(executable: String, moduleDirectory: URL, settings: RunSettings, dataFolders: [String], handlers: Handlers) throws {
        self.moduleDirectory = moduleDirectory
        let secret = CellMarker.newSecret()
        collector = OutputCollector(secret: secret, limit: settings.outputLimit, onProgress: handlers.onProgress,
                                    onChange: handlers.onChange, onLiveMarker: handlers.onLiveMarker)
        let (reader, writer) = try ChildProcess.openControlChannel(sending: secret)
        commandWriter = writer
        dataLog = moduleDirectory.deletingLastPathComponent().appendingPathComponent("data-reads.log")
        _ = FileManager.default.createFile(atPath: dataLog.path, contents: nil)
        let environment = ProgramRunner.environment(settings: settings, dataFolders: dataFolders)
            .merging(["D2L_LIVE": "1", DataSearchPath.readLogVariable: dataLog.path]) { $1 }
        let started = DispatchSemaphore(value: 0)
        let collector = self.collector
        Thread.detachNewThread { [self] in
            let outcome = Result {
                try ChildProcess.spawn(executable, arguments: [], environment: environment, timeLimit: nil,
                                       controlChannel: reader,
                                       onOutput: { collector.feed($0, isOutput: true) },
                                       onError: { collector.feed($0, isOutput: false) },
                                       onStart: { pid in
                                           self.lock.lock(); self.pid = pid; self.lock.unlock()
                                           close(reader)
                                           started.signal()
                                       })
            }
            collector.finish()
            lock.lock()
            exited = true
            if commandWriter >= 0 { close(commandWriter); commandWriter = -1 }
            lock.unlock()
            switch outcome {
            case let .success(outcome): handlers.onExit(outcome)
            case let .failure(error):
                close(reader)
                started.signal()
                handlers.onExit(ChildProcess.Outcome(status: 127, signal: nil, timedOut: false,
                                                     standardError: "\(error)"))
            }
        }
        started.wait()
    }

    /// Sends `command` to the process holding the state; false if the program has ended.
    func send(_ command: RunCellCommand) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !exited, commandWriter >= 0 else { return false }
        let command = Array(command.line.utf8)
        return command.withUnsafeBytes { write(commandWriter, $0.baseAddress, $0.count) } == command.count
    }

    /// Ends the program and everything it started (its live children have groups of their
    /// own: `children` lists them).
    func stop(children: [pid_t] = []) {
        lock.lock()
        let pid = self.pid
        if commandWriter >= 0 { close(commandWriter); commandWriter = -1 }
        lock.unlock()
        for child in children { kill(-child, SIGKILL) }
        if let pid { kill(-pid, SIGKILL) }
    }
}
