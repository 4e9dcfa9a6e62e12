/// The kernel's ZeroMQ channels, as the connection file names their ports.
public enum KernelChannel: String, Sendable, CaseIterable {
    /// Requests from front ends (ROUTER): execute, complete, kernel_info, ...
    case shell
    /// Requests that must not wait behind a running cell (ROUTER): interrupt, shutdown.
    case control
    /// Input the kernel asks a front end for (ROUTER).
    case stdin
    /// Outputs and status, to every front end (PUB).
    case iopub
}
