import CellProtocol
import Foundation

/// A program that holds state and runs more cells in forks of itself: a live chapter program
/// of `d2l-run serve` after its main cells (the snapshot), or the kernel's base program
/// (`d2l-run kernel`). One protocol for both, so that a cell runs, crashes and is interrupted the
/// same way in each.
///
/// The program waits for ``RunCellCommand``s on the control channel. To run a cell, the process
/// holding the state (the holder) forks; the child loads the cell's library and runs its entry
/// point. When a cell run to keep its state ends normally, the child becomes the holder and
/// serves the next command, while its parent stays blocked in `waitpid`: the rollback point.
/// When a cell run to discard its state ends, its child exits. When the child dies (a crash,
/// `exit`, a kill, an interrupt) or exits, the parent resumes as the holder, with the state as
/// it was before that cell.
extension CellRuntime {
    /// Whether the program runs under `d2l-run serve` or `d2l-run kernel` (rich progress such as
    /// live figures); its control channel then stays open for commands.
    public static let isLive = isUnderRunner && ProcessInfo.processInfo.environment["D2L_LIVE"] != nil

    /// Shows the running cell's figure so far on the live page or in the notebook.
    public static func showLiveFigure(_ figure: Figure) {
        guard isLive else { return }
        emit(CellMarker.liveFigure(figure), to: stdout)
    }

    /// Called after a live program's main cells (none for the kernel's base): reports that the
    /// state is ready and serves cells until the runner closes the control channel, then exits.
    /// Outside a live run (no control channel) it returns at once.
    public static func serveCells() {
        guard isLive, controlChannel != nil else { return }
        // Whether the main cells left Dispatch unusable in forks: each exercise is then told.
        _ = forksWillFindDispatchBroken()
        emit(.snapshotReady, to: stdout)
        // A child whose kept cell ended returns here and serves the next command: it is the holder.
        while let line = readControlLine() {
            guard let command = RunCellCommand(line: line) else {
                write("d2l-run: unknown command \(line)\n", to: stderr)
                continue
            }
            runForked(command)
        }
        exit(0)
    }

    /// Runs the command's cell in a forked child. Returns in the child once a kept cell has
    /// ended normally (it is the holder now), and in the parent once the child has ended.
    private static func runForked(_ command: RunCellCommand) {
        let index = command.index
        begin(index)
        fflush(stdout)
        fflush(stderr)
        let me = getpid()
        let pid = fork()
        if pid == 0 {
            endWithParent(me)
            // Its own group, so that an interrupt ends the cell with everything it started.
            setpgid(0, 0)
            if !command.keepsState, let channel = controlChannel {
                // This child never serves: the commands are its parent's.
                fclose(channel)
                controlChannel = nil
                if dispatchBrokenInForks { write(dispatchBrokenInSnapshotWarning, to: stderr) }
            }
            guard let handle = dlopen(command.library, RTLD_NOW | RTLD_GLOBAL) else {
                fail("cannot load the cell: \(String(cString: dlerror()))", file: "d2l-run", line: 0)
            }
            let symbol = CellMarker.cellEntrySymbol(index)
            guard let entry = dlsym(handle, symbol) else {
                fail("the cell's library has no \(symbol)", file: "d2l-run", line: 0)
            }
            unsafeBitCast(entry, to: (@convention(c) () -> Void).self)()
            if command.keepsState && forksWillFindDispatchBroken() { write(dispatchAfterForkWarning, to: stderr) }
            fflush(stdout)
            fflush(stderr)
            end(index)
            guard command.keepsState else { exit(0) }
            emitOnBothStreams { .chainHolder(index: index, pid: getpid(), onStandardOutput: $0) }
            return
        }
        guard pid > 0 else {
            emit(.failure(CellFailure(message: "fork failed: errno \(errno)")), to: stdout)
            emitOnBothStreams { .chainResumed(index: index, pid: me, status: 1, onStandardOutput: $0) }
            return
        }
        // Also set here, so that the runner's kill of the group cannot race the child's own call.
        setpgid(pid, pid)
        emit(.chainChild(index: index, pid: pid), to: stdout)
        let status = waitForChild(pid)
        // Whatever the cell left in its group ends with it: this state never saw it.
        kill(-pid, SIGKILL)
        emitOnBothStreams { .chainResumed(index: index, pid: me, status: status, onStandardOutput: $0) }
    }

    /// A cell's last word, on standard output then standard error: the runner knows it has all
    /// of the cell's output once both have come.
    private static func emitOnBothStreams(_ marker: (_ onStandardOutput: Bool) -> CellMarker) {
        emit(marker(true), to: stdout)
        emit(marker(false), to: stderr)
    }

    /// Shows the value of a kernel cell's last expression, as a notebook does; `()` shows nothing.
    public static func showCellValue<T>(_ value: T) {
        if T.self == Void.self { return }
        let item: DisplayItem
        switch value {
        case let value as DisplayItem: item = value
        case let value as Table: item = .table(value)
        case let value as Figure: item = .figure(value)
        default: item = .text(readableValue(String(reflecting: value)))
        }
        guard isUnderRunner else {
            display(item)
            return
        }
        emit(.cellValue(item), to: stdout)
    }

    /// The value of a kernel cell's top-level `let x = try f()`: an error ends the cell, as an
    /// error thrown at a chapter program's top level does, at `line`.
    public static func chainedInitializer<T>(file: String, line: Int, _ body: () throws -> T) -> T {
        do {
            return try body()
        } catch {
            failAtTopLevel(error, file: file, line: line)
        }
    }

    /// Ends a kernel cell whose top-level code threw `error`, with the message the chapter
    /// program's crash report gives.
    public static func failAtTopLevel(_ error: Error, file: String, line: Int) -> Never {
        fail("Fatal error: Error raised at top level: " + readableValue(String(reflecting: error)), file: file, line: line)
    }

    /// A value's text without the module names of the kernel's cells and base program
    /// (`Cell_3.Point(x: 1)` reads `Point(x: 1)`).
    static func readableValue(_ text: String) -> String {
        text.replacingOccurrences(of: #"\bCell_[0-9]+\."#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "ChapterProgram.", with: "")
    }
}
