import Foundation
import XCTest
@testable import D2LSwift

/// The worker thread sleeps when idle and wakes for the next job, however the two race.
final class WorkerPoolTests: XCTestCase {
    private var savedThreads = Parallelism.threads
    private var savedSpins = WorkerPool.spinsBeforeSleeping

    override func setUp() {
        savedThreads = Parallelism.threads
        savedSpins = WorkerPool.spinsBeforeSleeping
        Parallelism.threads = 2
    }

    override func tearDown() {
        Parallelism.threads = savedThreads
        WorkerPool.spinsBeforeSleeping = savedSpins
    }

    /// Runs `body` on another thread and fails instead of hanging if it does not end in time.
    private func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread { body(); done.signal() }.start()
        return done.wait(timeout: .now() + seconds) == .success
    }

    /// The halves of one split job: which thread ran each, and the sum of each half's indices.
    private func runPair() -> (firstThread: pthread_t, secondThread: pthread_t, sums: [Int]) {
        nonisolated(unsafe) var threads = [pthread_t](repeating: pthread_self(), count: 2)
        nonisolated(unsafe) var sums = [0, 0]
        Parallelism.pair({
            threads[0] = pthread_self()
            sums[0] = (0..<1000).reduce(0, +)
        }, {
            threads[1] = pthread_self()
            sums[1] = (1000..<2000).reduce(0, +)
        })
        return (threads[0], threads[1], sums)
    }

    func testSleepingWorkerWakesForTheNextJob() {
        WorkerPool.spinsBeforeSleeping = 1000
        let first = runPair()
        XCTAssertEqual(pthread_equal(first.firstThread, first.secondThread), 0, "the second half ran on the worker")
        let deadline = Date().addingTimeInterval(10)
        while !WorkerPool.shared.isSleeping && Date() < deadline { usleep(1000) }
        XCTAssertTrue(WorkerPool.shared.isSleeping, "an idle worker sleeps")
        nonisolated(unsafe) var second: (firstThread: pthread_t, secondThread: pthread_t, sums: [Int])?
        XCTAssertTrue(finishes(within: 10) { second = self.runPair() }, "a sleeping worker was not woken")
        guard let second else { return }
        XCTAssertEqual(second.sums, [499_500, 1_499_500])
        XCTAssertEqual(pthread_equal(second.secondThread, first.secondThread), 1, "the same worker took it")
    }

    func testJobsRacingTheWorkerFallingAsleepAllFinish() {
        // A handful of spins: the worker falls asleep between most jobs, often just as the next
        // one is posted. Every job must still run both halves, and none may wait forever.
        WorkerPool.spinsBeforeSleeping = 3
        nonisolated(unsafe) var wrong = 0
        let finished = finishes(within: 60) {
            for round in 0..<20_000 {
                if self.runPair().sums != [499_500, 1_499_500] { wrong += 1 }
                if round % 7 == 0 { usleep(20) }
            }
        }
        XCTAssertTrue(finished, "a job was posted while the worker fell asleep and never ran")
        XCTAssertEqual(wrong, 0)
    }
}
