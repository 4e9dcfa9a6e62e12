import Foundation

/// Whether later cells, which run in forks of this process, will find Dispatch broken.
///
/// Once a process has used Dispatch's thread pool in some ways (`concurrentPerform` does; a
/// plain `async` does not, measured here), every process forked from it inherits the pool's
/// state without its threads: work sent to a queue never runs, a group's `wait()` never returns
/// (libdispatch registers no fork handlers on Linux). A kernel cell that starts the pool works, but every cell
/// after it would hang or silently skip its Dispatch work. The runtime says so at the cell that
/// did it, once; under `serve`, every exercise is told when the main cells did it, as each runs
/// in a fork of their state.
extension CellRuntime {
    /// Set once a probe found Dispatch broken in this process's forks; every process forked
    /// from here on inherits it, so the cell that broke it is the only one told.
    static var dispatchBrokenInForks = false

    /// True when this process's forks will find Dispatch broken, the first time it is so.
    /// Asked of a throwaway fork, which sends work to Dispatch's global queue: about a
    /// millisecond when it runs, half a second once when it does not. (libdispatch's own
    /// `_dispatch_is_fork_of_multithreaded_parent()` answers false in such a fork here.)
    static func forksWillFindDispatchBroken() -> Bool {
        guard !dispatchBrokenInForks else { return false }
        fflush(stdout)
        fflush(stderr)
        let probe = fork()
        if probe == 0 {
            let ran = DispatchSemaphore(value: 0)
            DispatchQueue.global().async { ran.signal() }
            _exit(ran.wait(timeout: .now() + 0.5) == .success ? 0 : 1)
        }
        guard probe > 0 else { return false }
        dispatchBrokenInForks = waitForChild(probe) == 1
        return dispatchBrokenInForks
    }

    /// What a kernel cell that started Dispatch's pool says about the cells after it.
    static let dispatchAfterForkWarning = """
        d2l-run kernel: this cell used Dispatch in a way that leaves its thread pool unusable in \
        forked copies of this state (DispatchQueue.concurrentPerform does). Later cells run in such \
        copies: Dispatch work they send to a queue never runs, and waiting for it hangs. Use \
        Thread or the library's own parallelism in later cells, or restart the kernel to use \
        Dispatch again.

        """

    /// What an exercise says when the snapshot it runs in a fork of broke Dispatch.
    static let dispatchBrokenInSnapshotWarning = """
        d2l-run serve: the chapter's main cells used Dispatch in a way that leaves its thread pool \
        unusable in forked copies of their state (DispatchQueue.concurrentPerform does), and this \
        cell runs in such a copy: Dispatch work it sends to a queue never runs, and waiting for it \
        hangs. Use Thread or the library's own parallelism here.

        """
}
