import CellProtocol
import Foundation

/// The live chapter program of `d2l-run serve`: after its main cells it keeps its state (the
/// trained model) as a snapshot and runs further cells, each compiled alone into a shared
/// library, in forked children of that snapshot.
extension CellRuntime {
    /// Whether the program runs under `d2l-run serve` (rich progress such as live figures); its
    /// control channel then stays open for commands.
    public static let isLive = isUnderRunner && ProcessInfo.processInfo.environment["D2L_LIVE"] != nil

    /// Shows the running cell's figure so far on the live page.
    public static func showLiveFigure(_ figure: Figure) {
        guard isLive else { return }
        emit(CellMarker.liveFigure(figure), to: stdout)
    }

    /// Called by the generated program after its main cells: when live, reports that the
    /// snapshot is ready and serves `run INDEX LIBRARY` commands until the runner closes the
    /// command channel, then exits. Outside `serve` it returns at once.
    public static func serveSnapshot() {
        guard isLive, controlChannel != nil else { return }
        emit(.snapshotReady, to: stdout)
        serveRunCommands("live") { runLiveCell($0, library: $1) }
        exit(0)
    }

    /// Runs live cell `index` from `library` in a forked child in its own process group (so
    /// the runner can interrupt it with everything it starts), and reports how it ended. The
    /// snapshot itself is never changed by the cell.
    private static func runLiveCell(_ index: Int, library: String) {
        begin(index)
        let pid = fork()
        if pid == 0 {
            setpgid(0, 0)
            if let channel = controlChannel { fclose(channel) }
            controlChannel = nil
            guard let handle = dlopen(library, RTLD_NOW) else {
                fail("cannot load the cell: \(String(cString: dlerror()))", file: "d2l-run", line: 0)
            }
            guard let symbol = dlsym(handle, CellMarker.liveEntrySymbol) else {
                fail("the cell's library has no \(CellMarker.liveEntrySymbol)", file: "d2l-run", line: 0)
            }
            unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)()
            fflush(stdout)
            exit(0)
        }
        guard pid > 0 else {
            emit(CellMarker.failure(CellFailure(message: "fork failed: errno \(errno)")), to: stdout)
            end(index)
            emit(CellMarker.liveDone(index: index, status: 1), to: stdout)
            emit(CellMarker.liveDone(index: index, status: 1), to: stderr)
            return
        }
        // Also set here, so the runner's kill of the group cannot race the child's own call.
        setpgid(pid, pid)
        emit(CellMarker.liveChild(index: index, pid: pid), to: stdout)
        let status = waitForChild(pid)
        // Whatever the cell left running in its group (a background process) ends with it.
        kill(-pid, SIGKILL)
        if status != 0 { emit(CellMarker.isolatedExit(index: index, status: status), to: stdout) }
        end(index)
        // On both streams: the runner knows it has all the cell's output, on each stream, once
        // both markers have arrived.
        emit(CellMarker.liveDone(index: index, status: status), to: stdout)
        emit(CellMarker.liveDone(index: index, status: status), to: stderr)
    }
}
