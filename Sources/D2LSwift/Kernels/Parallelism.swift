import Foundation
import Synchronization

/// Splits hot loops across the machine's cores.
///
/// The chapter's tensors are small (a 1024x32 matrix is 128 KiB) and an epoch runs thousands
/// of operations, so threads must be handed work in microseconds: one persistent worker per
/// extra core spins briefly on an atomic generation counter, then naps. Work is split
/// statically, so results depend only on the thread count, never on timing.
public enum Parallelism {
    /// Threads used for data-parallel loops: 1 runs everything on the calling thread, 2 or more
    /// splits work in two (the pool has one worker; the chapter's shapes gain nothing beyond).
    /// Defaults to `D2L_THREADS`, else the number of cores, at most 2.
    public static var threads: Int = {
        if let text = ProcessInfo.processInfo.environment["D2L_THREADS"], let n = Int(text), n >= 1 { return n }
        return min(ProcessInfo.processInfo.activeProcessorCount, 2)
    }()

    /// Splits `0..<count` into one contiguous part per thread and runs `body` on each part,
    /// returning when all are done. Below `minimumPerThread` items per thread, runs inline.
    @inline(__always)
    public static func forEachPart(_ count: Int, minimumPerThread: Int = 4096, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, count / max(minimumPerThread, 1))
        guard parts >= 2, canSplit else { return body(0..<count) }
        withoutActuallyEscaping(body) { escapable in
            WorkerPool.shared.run(count: count, escapable)
        }
    }

    /// Whether work split now would run on two threads: more than one is allowed and the worker
    /// is free. Inside a job (each half of a split batch runs in one) a split runs both pieces
    /// on the calling thread, so work that splits differently (a matrix product cut in two)
    /// should not split at all.
    static var canSplit: Bool { threads >= 2 && !WorkerPool.jobRunning.load(ordering: .relaxed) }

    /// Runs `body` with every loop and pair in it on the calling thread alone, so that a crash
    /// in it (a shape mistake's `require`) is always reported from this thread's stack.
    /// Only while no job runs (the worker is idle): it lowers ``threads`` for the duration.
    static func withoutSplitting<T>(_ body: () throws -> T) rethrows -> T {
        let saved = threads
        threads = 1
        defer { threads = saved }
        return try body()
    }

    /// What the main thread did with its time in parallel loops, counted while
    /// ``recordsStatistics`` is on (the benchmark's account of where two threads lose time).
    public struct Statistics {
        /// Loops split across the two threads.
        public var jobs = 0
        /// Seconds the main thread spent on its own half of those loops.
        public var secondsWorking = 0.0
        /// Seconds it then waited for the worker to finish the other half.
        public var secondsWaiting = 0.0
    }

    /// Whether split loops are timed into ``statistics`` (two clock reads per loop).
    public static var recordsStatistics = false
    /// The counts since ``recordsStatistics`` was turned on.
    public static var statistics = Statistics()

    /// Runs two independent pieces of work, one on a worker thread, when more than one thread
    /// is allowed.
    public static func pair(_ first: () -> Void, _ second: () -> Void) {
        guard canSplit else { first(); second(); return }
        withoutActuallyEscaping(first) { a in
            withoutActuallyEscaping(second) { b in
                WorkerPool.shared.run(count: 2) { range in
                    for piece in range { if piece == 0 { a() } else { b() } }
                }
            }
        }
    }
}

/// One worker thread that takes the second half of each job.
final class WorkerPool: @unchecked Sendable {  // the job is handed over through atomics and a condition
    /// The process's pool; replaced in a forked child, which inherits no threads.
    nonisolated(unsafe) static var shared = WorkerPool()

    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Whether the worker has stopped spinning and waits on `wakeUp`.
    private let sleeping = Atomic<Bool>(false)
    private let wakeUp = NSCondition()
    /// Spins on `posted` before the worker sleeps: long enough to span the gaps between a
    /// training step's jobs. Tests make it short to exercise falling asleep and waking.
    nonisolated(unsafe) static var spinsBeforeSleeping = 5_000_000

    /// Whether the worker is asleep, waiting for a job.
    var isSleeping: Bool { sleeping.load(ordering: .sequentiallyConsistent) }
    private var job: ((Range<Int>) -> Void)?
    private var jobRange = 0..<0
    private var started = false

    private static let forkHandlerInstalled: Void = {
        pthread_atfork(nil, nil, {
            WorkerPool.shared = WorkerPool()
            WorkerPool.jobRunning.store(false, ordering: .relaxed)
        })
    }()

    /// Whether a job is running: work started from inside one (a deferred value computed
    /// while a loop reads it, each half of a split batch) runs inline, as the worker is taken.
    /// Static, so that it is read without the pool object: every operation of a half asks,
    /// and reaching `shared` retains the pool, a count both threads would write each time.
    static let jobRunning = Atomic<Bool>(false)

    /// Runs `body` over two halves of `0..<count`: the second on the worker, the first here.
    func run(count: Int, _ body: @escaping (Range<Int>) -> Void) {
        // Work handed over inside a job (from either thread) finds the flag set and runs here.
        if WorkerPool.jobRunning.load(ordering: .relaxed) { return body(0..<count) }
        WorkerPool.jobRunning.store(true, ordering: .relaxed)
        defer { WorkerPool.jobRunning.store(false, ordering: .relaxed) }
        if !started { start() }
        let middle = count / 2
        job = body
        jobRange = middle..<count
        let generation = posted.load(ordering: .relaxed) + 1
        // Sequentially consistent with the worker's `sleeping` flag: either it sees this
        // generation before it waits, or this thread sees it waiting and wakes it.
        posted.store(generation, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) {
            wakeUp.lock()
            wakeUp.signal()
            wakeUp.unlock()
        }
        let start = Parallelism.recordsStatistics ? DispatchTime.now().uptimeNanoseconds : 0
        body(0..<middle)
        let halfDone = Parallelism.recordsStatistics ? DispatchTime.now().uptimeNanoseconds : 0
        var spins = 0
        while finished.load(ordering: .acquiring) != generation {
            spins += 1
            if spins > 1_000_000 { sched_yield() }
        }
        job = nil
        if Parallelism.recordsStatistics {
            Parallelism.statistics.jobs += 1
            Parallelism.statistics.secondsWorking += Double(halfDone - start) / 1e9
            Parallelism.statistics.secondsWaiting += Double(DispatchTime.now().uptimeNanoseconds - halfDone) / 1e9
        }
    }

    private func start() {
        _ = WorkerPool.forkHandlerInstalled
        started = true
        let thread = Thread { [unowned self] in self.loop() }
        // A whole half of a training step runs here (DataParallelStep), and releasing its
        // graph recurses once per operation in a chain.
        thread.stackSize = 16 << 20
        thread.start()
    }

    private func loop() {
        var seen = 0
        while true {
            var spins = 0
            var generation = posted.load(ordering: .acquiring)
            while generation == seen {
                spins += 1
                if spins > WorkerPool.spinsBeforeSleeping {
                    // Idle for a while (between cells, in a forked exercise's parent): sleep until
                    // the next job. Waking every 50 us instead cost a forked exercise 20% of its
                    // speed, the parent's worker taking turns on the child's cores.
                    generation = waitForJob(after: seen)
                    break
                }
                generation = posted.load(ordering: .acquiring)
            }
            seen = generation
            job?(jobRange)
            finished.store(generation, ordering: .releasing)
        }
    }

    /// Blocks until a generation after `seen` is posted, and returns it.
    private func waitForJob(after seen: Int) -> Int {
        wakeUp.lock()
        defer { wakeUp.unlock() }
        sleeping.store(true, ordering: .sequentiallyConsistent)
        var generation = posted.load(ordering: .sequentiallyConsistent)
        while generation == seen {
            wakeUp.wait()
            generation = posted.load(ordering: .sequentiallyConsistent)
        }
        sleeping.store(false, ordering: .relaxed)
        return generation
    }
}
