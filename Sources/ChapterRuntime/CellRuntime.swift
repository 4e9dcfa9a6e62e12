import CellProtocol
import Foundation

/// The running side of the notebook protocol (see `CellMarker`): the generated program calls
/// it at cell boundaries, and library code calls it to show rich results and failures.
///
/// Outside the runner (`D2L_NOTEBOOK` unset) rich results print as text and progress goes to
/// standard error, so library code behaves sensibly in any program.
public enum CellRuntime {
    /// Whether the process runs under `d2l-run`.
    public static let isUnderRunner = ProcessInfo.processInfo.environment["D2L_NOTEBOOK"] != nil

    private static var currentCell: Int?
    private static var cellStart = Date()

    /// The runner's control channel (descriptor 3): the run's marker secret, then, for a live
    /// program, the cells to run.
    static var controlChannel: UnsafeMutablePointer<FILE>?
    /// The secret every marker of this run carries (see ``CellMarker``).
    static var markerSecret = ""

    /// Prepares the process: unbuffered standard output, so nothing is lost if a cell crashes;
    /// under the runner, the marker secret read from the control channel.
    public static func start() {
        setvbuf(stdout, nil, _IONBF, 0)
        setvbuf(stderr, nil, _IONBF, 0)
        guard isUnderRunner, fcntl(3, F_GETFD) >= 0, let channel = fdopen(3, "r") else { return }
        // Cells need not see it: the descriptor does not survive an exec.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        controlChannel = channel
        markerSecret = readControlLine() ?? ""
        if !isLive {
            fclose(channel)
            controlChannel = nil
        } else {
            endWithParent(getppid())
        }
    }

    /// The next line of the control channel, without its newline; nil at its end.
    ///
    /// Read with read(2) a byte at a time, never through stdio: a process forked while it
    /// waits (the kernel's state holders) would keep its own copy of stdio's read-ahead, and
    /// after a rollback run commands again that a child already consumed.
    static func readControlLine() -> String? {
        guard let channel = controlChannel else { return nil }
        let descriptor = fileno(channel)
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    /// Serves `run INDEX LIBRARY` commands from the control channel, calling `run` for each,
    /// until the runner closes it. `kind` names the commands in the complaint about any other.
    static func serveRunCommands(_ kind: String, _ run: (_ index: Int, _ library: String) -> Void) {
        while let command = readControlLine() {
            let fields = command.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, fields[0] == "run", let index = Int(fields[1]) else {
                write("d2l-run: unknown \(kind) command \(command)\n", to: stderr)
                continue
            }
            run(index, String(fields[2]))
        }
    }

    /// Writes `marker` on `stream`, with this run's secret.
    static func emit(_ marker: CellMarker, to stream: UnsafeMutablePointer<FILE>) {
        write(marker.line(secret: markerSecret), to: stream)
    }

    /// Marks the start of cell `index` on both output streams.
    public static func begin(_ index: Int) {
        currentCell = index
        cellStart = Date()
        let marker = CellMarker.begin(index: index, unixTime: cellStart.timeIntervalSince1970)
        emit(marker, to: stdout)
        emit(marker, to: stderr)
    }

    /// Marks the normal end of cell `index`.
    public static func end(_ index: Int) {
        let now = Date()
        emit(CellMarker.end(index: index, seconds: now.timeIntervalSince(cellStart),
                            unixTime: now.timeIntervalSince1970), to: stdout)
        currentCell = nil
    }

    /// Shows a rich result in the current cell.
    public static func display(_ item: DisplayItem) {
        guard isUnderRunner else {
            switch item {
            case let .text(text): print(text)
            case let .check(check): print("✓ " + check.description)
            case let .table(table): print(([table.header] + table.rows).map { $0.joined(separator: "\t") }.joined(separator: "\n"))
            case let .figure(figure): print("[figure: \(figure.series.map(\.name).joined(separator: ", "))]")
            }
            return
        }
        emit(CellMarker.display(item), to: stdout)
    }

    /// Reports a progress line (training epochs): shown live on the runner's terminal, never in
    /// the page.
    public static func progress(_ line: String) {
        if isUnderRunner {
            emit(CellMarker.progress(line), to: stderr)
        } else {
            write(line + "\n", to: stderr)
        }
    }

    /// Ends the current cell with a failure the reader can act on (a failed check), naming the
    /// source line that failed. The process exits: later cells depend on this one.
    public static func fail(_ message: String, file: String, line: Int) -> Never {
        if isUnderRunner {
            emit(CellMarker.failure(CellFailure(message: message, file: file, line: line)), to: stdout)
        } else {
            write("\(file):\(line): \(message)\n", to: stderr)
        }
        exit(failureExitStatus)
    }

    /// The exit status of a process that ended through ``fail(_:file:line:)``.
    public static let failureExitStatus: Int32 = 3

    /// Runs an isolated cell (an exercise, or a cell expected to fail) in a forked copy of the
    /// process, so that whatever it does, even a crash, leaves the rest of the chapter running.
    ///
    /// Returns `true` in the child, which runs the cell and then calls ``endIsolated(_:)``;
    /// the parent waits for the child, reports how it ended, and gets `false`.
    public static func beginIsolated(_ index: Int) -> Bool {
        begin(index)
        let pid = fork()
        if pid == 0 { return true }
        guard pid > 0 else {
            write("fork failed: errno \(errno); running the cell in-process\n", to: stderr)
            return true
        }
        let exitStatus = waitForChild(pid)
        if exitStatus != 0 { emit(CellMarker.isolatedExit(index: index, status: exitStatus), to: stdout) }
        end(index)
        return false
    }

    /// Ends the forked child of an isolated cell.
    public static func endIsolated(_ index: Int) -> Never {
        fflush(stdout)
        exit(0)
    }

    /// Waits for child `pid`; its exit status, or 128 + the signal that ended it.
    static func waitForChild(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitStatus(waitStatus: status)
    }

    /// The exit status in a `waitpid` status, or 128 + the signal that ended the process.
    package static func exitStatus(waitStatus status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        fputs(text, stream)
    }
}

/// Shows a rich result in the notebook: a figure, a table, a check.
public func display(_ item: DisplayItem) { CellRuntime.display(item) }
/// Shows a figure in the notebook.
public func display(_ figure: Figure) { CellRuntime.display(.figure(figure)) }
/// Shows a table in the notebook.
public func display(_ table: Table) { CellRuntime.display(.table(table)) }

