import CellProtocol
import Foundation

/// The kernel's base program (`d2l-run kernel`): state kept in a chain of forked processes.
///
/// The base waits for `run INDEX LIBRARY` commands on the control channel. To run a cell, the
/// process holding the state (the holder) forks; the child loads the cell's library and runs its
/// entry point. When the cell ends normally the child becomes the holder and serves the next
/// command, while its parent stays blocked in `waitpid`: the rollback point. When the child dies
/// (a crash, `exit`, a kill, an interrupt), the parent resumes as the holder, with the state as it
/// was before that cell.
extension CellRuntime {
    /// Serves kernel cells until the runner closes the control channel, then exits. Outside a
    /// live run (no control channel) it returns at once.
    public static func serveChain() {
        guard isLive, controlChannel != nil else { return }
        emit(.snapshotReady, to: stdout)
        // A child whose cell ended returns here and serves the next command: it is the holder.
        serveRunCommands("kernel") { runChainedCell($0, library: $1) }
        exit(0)
    }

    /// Runs cell `index` in a forked child. Returns in the child once the cell has ended
    /// normally (it is the holder now), and in the parent once the child has ended.
    private static func runChainedCell(_ index: Int, library: String) {
        begin(index)
        fflush(stdout)
        fflush(stderr)
        let pid = fork()
        if pid == 0 {
            // Its own group, so that an interrupt ends the cell with everything it started.
            setpgid(0, 0)
            guard let handle = dlopen(library, RTLD_NOW | RTLD_GLOBAL) else {
                fail("cannot load the cell: \(String(cString: dlerror()))", file: "d2l-run", line: 0)
            }
            let symbol = CellMarker.chainEntrySymbol(index)
            guard let entry = dlsym(handle, symbol) else {
                fail("the cell's library has no \(symbol)", file: "d2l-run", line: 0)
            }
            unsafeBitCast(entry, to: (@convention(c) () -> Void).self)()
            fflush(stdout)
            fflush(stderr)
            end(index)
            let pid = getpid()
            emit(.chainHolder(index: index, pid: pid, onStandardOutput: true), to: stdout)
            emit(.chainHolder(index: index, pid: pid, onStandardOutput: false), to: stderr)
            return
        }
        let me = getpid()
        guard pid > 0 else {
            emit(.failure(CellFailure(message: "fork failed: errno \(errno)")), to: stdout)
            emit(.chainResumed(index: index, pid: me, status: 1, onStandardOutput: true), to: stdout)
            emit(.chainResumed(index: index, pid: me, status: 1, onStandardOutput: false), to: stderr)
            return
        }
        // Also set here, so that the runner's kill of the group cannot race the child's own call.
        setpgid(pid, pid)
        emit(.chainChild(index: index, pid: pid), to: stdout)
        let status = waitForChild(pid)
        // Whatever the cell left in its group ends with it: this state never saw it.
        kill(-pid, SIGKILL)
        emit(.chainResumed(index: index, pid: me, status: status, onStandardOutput: true), to: stdout)
        emit(.chainResumed(index: index, pid: me, status: status, onStandardOutput: false), to: stderr)
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
