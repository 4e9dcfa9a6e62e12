/// Where the live chapter's snapshot (its program, alive after the main cells, holding the
/// trained state that exercises run against) stands.
public enum SnapshotState: String, Codable, Equatable, Sendable {
    /// The session has not begun its first run.
    case starting
    /// The chapter program is being compiled.
    case compiling
    /// The main cells are running.
    case training
    /// The program holds the state after the main cells: exercises run in forks of it.
    case ready
    /// A main cell, the compile or the program failed: exercises cannot run until a main cell
    /// runs again (a snapshot lost while ready is restored by itself).
    case failed
    /// Interrupted, or the session has shut down.
    case stopped
}
