import Foundation

/// A live program and the processes forked from it end with the process that started them.
///
/// The kernel's state is a chain of processes, each blocked in `waitpid` on the next, the last
/// perhaps running a cell that never ends. Killed without a word (SIGKILL, as
/// `shutdown_kernel(now=True)` does), the kernel could not end them: the whole chain stayed,
/// forever. Each process of the chain (and serve's snapshot and exercises) asks Linux for
/// SIGKILL when its parent ends, so the kernel's end brings down the base program, the base
/// program's its first holder, and so on to the running cell.
extension CellRuntime {
    /// Asks for SIGKILL when the parent ends; ends now if `parent` has already gone (it
    /// ended between the fork and this call).
    static func endWithParent(_ parent: pid_t) {
        // prctl is variadic, which Swift does not import; on x86-64 and arm64 Linux its integer
        // arguments pass the same way through this fixed prototype.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(nil, "prctl") else { return }
        let setParentDeathSignal: Int32 = 1  // PR_SET_PDEATHSIG
        _ = unsafeBitCast(symbol, to: Prctl.self)(setParentDeathSignal, UInt(SIGKILL), 0, 0, 0)
        if getppid() != parent { _exit(1) }
    }
}
