import CellProtocol
import HostEnvironment
import Foundation

/// Settings of a run of the chapter program.
public struct RunSettings: Equatable, Sendable {
    /// The seed for initialisation, data order and sampling (`D2L_SEED`).
    public var seed: UInt64 = 0
    /// Longest a single cell may run, in seconds.
    public var cellTimeLimit: Double = 600
    /// Longest the whole program may run, in seconds.
    public var totalTimeLimit: Double = 1800
    /// Most bytes of text kept per cell and stream.
    public var outputLimit: Int = 256 * 1024

    public init(seed: UInt64 = 0, cellTimeLimit: Double = 600, totalTimeLimit: Double = 1800, outputLimit: Int = 256 * 1024) {
        self.seed = seed
        self.cellTimeLimit = cellTimeLimit
        self.totalTimeLimit = totalTimeLimit
        self.outputLimit = outputLimit
    }
}

/// The run stage: starts the compiled program and turns what it writes into per-cell results.
public struct ProgramRunner {
    public var settings: RunSettings
    /// Where the program looks for data files, in order (``DataSearchPath``).
    public var dataFolders: [String]
    /// Called with each progress line the library reports (training epochs).
    public var onProgress: (String) -> Void
    /// Called when a cell starts.
    public var onCellStart: @Sendable (Int) -> Void

    public init(settings: RunSettings, dataFolders: [String], onProgress: @escaping (String) -> Void = { _ in },
                onCellStart: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.settings = settings
        self.dataFolders = dataFolders
        self.onProgress = onProgress
        self.onCellStart = onCellStart
    }

    /// The environment a chapter program runs in: the runner's, plus the notebook protocol,
    /// the seed, the data folders, OpenBLAS's settings and JSON crash reports.
    static func environment(settings: RunSettings, dataFolders: [String]) -> [String: String] {
        var environment = BLASEnvironment.adding(to: ProcessInfo.processInfo.environment)
        environment["D2L_NOTEBOOK"] = "1"
        environment["D2L_SEED"] = String(settings.seed)
        environment[DataSearchPath.foldersVariable] = DataSearchPath.encode(dataFolders)
        environment["D2L_DATA_DIR"] = nil
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,format=json,threads=crashed"
        return environment
    }

    /// Runs `executable`, the program generated from `chapter` with `plans`.
    public func run(_ executable: String, chapter: Chapter, plans: [CellPlan]) throws -> RunResult {
        var environment = Self.environment(settings: settings, dataFolders: dataFolders)
        let dataLog = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-data-reads-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: dataLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: dataLog) }
        environment[DataSearchPath.readLogVariable] = dataLog.path

        let watchdog = CellWatchdog(cellLimit: settings.cellTimeLimit)
        let onCellStart = self.onCellStart
        let secret = CellMarker.newSecret()
        let control = try ChildProcess.controlChannel(sending: secret)
        defer { close(control) }
        let collector = OutputCollector(secret: secret, limit: settings.outputLimit, onProgress: onProgress)
        let start = Date()
        let outcome = try ChildProcess.spawn(
            executable, arguments: [], environment: environment, timeLimit: settings.totalTimeLimit,
            controlChannel: control,
            onOutput: { bytes in
                let before = collector.openCell
                collector.feed(bytes, isOutput: true)
                if let cell = collector.openCell, cell != before {
                    watchdog.cellStarted()
                    onCellStart(cell)
                }
            },
            onError: { collector.feed($0, isOutput: false) },
            onStart: { pid in watchdog.watch(pid) })
        watchdog.stop()
        collector.finish()
        let timedOut = outcome.timedOut || watchdog.fired
        let limit = watchdog.fired ? settings.cellTimeLimit : settings.totalTimeLimit
        let cells = CellResultBuilder(chapter: chapter, plans: plans, records: collector.records,
                                      openCell: collector.openCell, outcome: outcome,
                                      timeLimit: timedOut ? limit : nil).build()
        var result = RunResult(cells: cells, runSeconds: Date().timeIntervalSince(start))
        result.timedOut = timedOut
        let log = (try? String(contentsOf: dataLog, encoding: .utf8)) ?? ""
        result.dataFiles = DataSearchPath.reads(inLog: log).map { DataFileRecord(read: $0) }
        return result
    }
}

/// Kills the program when one cell runs longer than its limit.
final class CellWatchdog: @unchecked Sendable {  // its lock guards the pid, generation and flags
    private let cellLimit: Double
    private let lock = NSLock()
    private var pid: pid_t?
    private var generation = 0
    private(set) var fired = false
    private var stopped = false

    init(cellLimit: Double) { self.cellLimit = cellLimit }

    func watch(_ pid: pid_t) {
        lock.lock(); self.pid = pid; lock.unlock()
        cellStarted()
    }

    func cellStarted() {
        lock.lock()
        generation += 1
        let mine = generation
        lock.unlock()
        DispatchQueue.global().asyncAfter(deadline: .now() + cellLimit) { [self] in
            lock.lock()
            defer { lock.unlock() }
            guard !stopped, mine == generation, let pid else { return }
            fired = true
            kill(-pid, SIGKILL)
        }
    }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
    }
}
