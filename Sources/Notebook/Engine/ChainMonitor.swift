import CellProtocol
import Foundation

/// Watches one run of a serving program (and the holders forked from it) through its
/// ``LiveProgram`` handlers, on the output reader threads, for ``CellHost``: says when the
/// program serves cells, streams the followed cell's outputs as ``KernelEvent``s (when it is
/// given a translator), says how the cell ended, and passes every report on to an observer.
final class ChainMonitor: @unchecked Sendable {  // its lock guards the followed run and waiters
    /// How a cell's run ended.
    enum RunEnd: Equatable {
        /// It ran to its end; `pid` holds the state after it.
        case holder(pid: Int32)
        /// Its process (or a holder after it) ended with `status`; `pid` holds the state again.
        case resumed(pid: Int32, status: Int32)
        /// The base program itself ended.
        case programEnded(ChildProcess.Outcome)
    }

    private let lock = NSLock()
    /// Set once the program is started, before any cell runs.
    var collector: OutputCollector? {
        get { lock.withLock { _collector } }
        set { lock.withLock { _collector = newValue } }
    }
    private var _collector: OutputCollector?
    private var ready: CheckedContinuation<Bool, Never>?
    private var isReady = false
    private var exitOutcome: ChildProcess.Outcome?
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    /// Holders that resumed while no cell ran (a holder ended between cells).
    private var idleResumes: [Int32] = []

    private struct Run {
        var cell: Int
        var translator: KernelEventTranslator?
        var publish: @Sendable (KernelEvent) -> Void
        var childPID: Int32?
        var interrupted = false
        var doneOnStream: [Bool: RunEnd] = [:]
        /// Whether a second look at held-back output is already due.
        var recheckDue = false
        var continuation: CheckedContinuation<RunEnd, Never>?
    }
    private var run: Run?
    /// Hears every report after the monitor (serve's main cells, which no one follows).
    private let observer: LiveProgram.Handlers?

    init(observer: LiveProgram.Handlers? = nil) {
        self.observer = observer
    }

    /// The handlers to give the program.
    var handlers: LiveProgram.Handlers {
        LiveProgram.Handlers(
            onChange: { [self] cell in changed(cell); observer?.onChange(cell) },
            onProgress: { [self] line in progress(line); observer?.onProgress(line) },
            onLiveMarker: { [self] marker in liveMarker(marker); observer?.onLiveMarker(marker) },
            onExit: { [self] outcome in exited(outcome); observer?.onExit(outcome) })
    }

    /// Waits until the base program serves cells; false if it ended first.
    func waitUntilReady() async -> Bool {
        await withCheckedContinuation { continuation in
            lock.lock()
            defer { lock.unlock() }
            if isReady { return continuation.resume(returning: true) }
            if exitOutcome != nil { return continuation.resume(returning: false) }
            ready = continuation
        }
    }

    /// Waits until the base program and the reading of its streams have ended.
    func waitUntilExited() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            defer { lock.unlock() }
            if exitOutcome != nil { return continuation.resume() }
            exitWaiters.append(continuation)
        }
    }

    /// How the program ended, once it has.
    var exit: ChildProcess.Outcome? { lock.withLock { exitOutcome } }

    /// Holders that took the state back while no cell ran; cleared.
    func takeIdleResumes() -> [Int32] {
        lock.withLock { defer { idleResumes = [] }; return idleResumes }
    }

    /// Starts following cell `cell` (sent next), publishing its outputs as `translator` makes
    /// them events (none without one).
    func follow(cell: Int, translator: KernelEventTranslator?, publish: @escaping @Sendable (KernelEvent) -> Void) {
        lock.withLock { run = Run(cell: cell, translator: translator, publish: publish) }
    }

    /// Waits for the followed cell's end.
    func waitForEnd() async -> RunEnd {
        await withCheckedContinuation { continuation in
            lock.lock()
            // A quick cell may have ended before anyone waited.
            if let done = run?.doneOnStream, done.count == 2, let end = done[true] {
                lock.unlock()
                return continuation.resume(returning: end)
            }
            if let outcome = exitOutcome {
                lock.unlock()
                return continuation.resume(returning: .programEnded(outcome))
            }
            run?.continuation = continuation
            lock.unlock()
        }
    }

    /// Ends the followed cell's process group (at once if its process is known, else as soon
    /// as it is). True if a cell was running.
    @discardableResult
    func interrupt() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard run != nil else { return false }
        run!.interrupted = true
        if let pid = run!.childPID { kill(-pid, SIGKILL) }
        return true
    }

    /// Whether the followed cell was interrupted; the process running it, if known.
    var followed: (interrupted: Bool, childPID: Int32?) { lock.withLock { (run?.interrupted ?? false, run?.childPID) } }

    /// Stops following.
    func stopFollowing() { lock.withLock { run = nil } }

    // MARK: Handlers (reader threads)

    private func changed(_ cell: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard var current = run, current.cell == cell, current.translator != nil,
              let outputs = _collector?.record(cell)?.outputs else { return }
        let events = current.translator!.events(for: outputs, final: false)
        if current.translator!.holdsPartialLine && !current.recheckDue {
            // The line's start is published once it is old enough, even if nothing follows it.
            current.recheckDue = true
            DispatchQueue.global().asyncAfter(deadline: .now() + KernelEventTranslator.partialLineDelay) { [self] in
                lock.withLock { if run?.cell == cell { run!.recheckDue = false } }
                changed(cell)
            }
        }
        run = current
        events.forEach(current.publish)
    }

    private func progress(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        guard var current = run, current.translator != nil else { return }
        let events = current.translator!.progress(line)
        run = current
        events.forEach(current.publish)
    }

    private func liveMarker(_ marker: CellMarker) {
        lock.lock()
        var resumeReady: CheckedContinuation<Bool, Never>?
        var ended: (CheckedContinuation<RunEnd, Never>, RunEnd)?
        defer {
            lock.unlock()
            resumeReady?.resume(returning: true)
            if let (continuation, end) = ended { continuation.resume(returning: end) }
        }
        switch marker {
        case .snapshotReady:
            isReady = true
            resumeReady = ready
            ready = nil
        case let .chainChild(cell, pid):
            guard run?.cell == cell else { return }
            run!.childPID = pid
            if run!.interrupted { kill(-pid, SIGKILL) }
        case let .chainHolder(cell, pid, onStandardOutput):
            guard run?.cell == cell else { return }
            ended = finishStream(onStandardOutput, .holder(pid: pid))
        case let .chainResumed(cell, pid, status, onStandardOutput):
            guard run?.cell == cell else {
                if onStandardOutput { idleResumes.append(pid) }
                return
            }
            ended = finishStream(onStandardOutput, .resumed(pid: pid, status: status))
        case let .liveFigure(figure):
            guard var current = run, current.translator != nil else { return }
            let events = current.translator!.liveFigure(figure)
            run = current
            events.forEach(current.publish)
        case let .cellValue(item):
            guard let current = run, let translator = current.translator else { return }
            translator.value(item).forEach(current.publish)
        default:
            return
        }
    }

    /// Notes the end marker on one stream; once both have come, publishes what is left and
    /// hands back the continuation to resume. Called with the lock held.
    private func finishStream(_ onStandardOutput: Bool, _ end: RunEnd) -> (CheckedContinuation<RunEnd, Never>, RunEnd)? {
        run!.doneOnStream[onStandardOutput] = end
        guard run!.doneOnStream.count == 2 else { return nil }
        return finishRun(with: end)
    }

    private func finishRun(with end: RunEnd) -> (CheckedContinuation<RunEnd, Never>, RunEnd)? {
        guard var current = run else { return nil }
        let outputs = _collector?.record(current.cell)?.outputs ?? []
        current.translator?.events(for: outputs, final: true).forEach(current.publish)
        let continuation = current.continuation
        current.continuation = nil
        current.doneOnStream = [true: end, false: end]
        run = current
        return continuation.map { ($0, end) }
    }

    private func exited(_ outcome: ChildProcess.Outcome) {
        lock.lock()
        exitOutcome = outcome
        let readyWaiter = ready
        ready = nil
        let ended = run?.continuation != nil ? finishRun(with: .programEnded(outcome)) : nil
        let waiters = exitWaiters
        exitWaiters = []
        lock.unlock()
        readyWaiter?.resume(returning: false)
        if let (continuation, end) = ended { continuation.resume(returning: end) }
        waiters.forEach { $0.resume() }
    }
}
