import CProcessControl
import Foundation

/// Ends whatever the chapter program leaves behind, so that nothing outlives a run.
///
/// A cell may start processes that leave the program's process group (a new session, a
/// double fork) and keep its output pipes open. Once ``prepare()`` has made the runner a child
/// subreaper, every such orphan becomes the runner's child: any child the runner did not start
/// itself is a stray, ended when the program ends (``endStrays()``) or the runner stops
/// (``endAll()``).
public enum ProcessReaper {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Set<pid_t> = []
    nonisolated(unsafe) private static var isSubreaper = false

    /// Makes this process the reaper of its orphaned descendants. The commands call it once;
    /// a process that never does (a test runner) ends only the processes it started.
    public static func prepare() {
        let becameReaper = d2l_become_child_subreaper() == 0
        lock.withLock { isSubreaper = becameReaper }
    }

    static func register(_ pid: pid_t) { _ = lock.withLock { started.insert(pid) } }
    static func unregister(_ pid: pid_t) { _ = lock.withLock { started.remove(pid) } }

    /// This process's children that it did not start: orphans adopted as subreaper.
    static func strays() -> [pid_t] {
        let (known, reaping) = lock.withLock { (started, isSubreaper) }
        guard reaping else { return [] }
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), !known.contains(pid),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == me ? pid : nil
        }
    }

    /// Kills and reaps the strays, and what they in turn leave, until none is left.
    public static func endStrays() {
        for _ in 0..<100 {
            let strays = strays()
            guard !strays.isEmpty else { return }
            for pid in strays {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
        }
    }

    /// Ends every process this process started, their groups and the strays: for a runner
    /// that is stopped (SIGINT, SIGTERM) or shut down.
    public static func endAll() {
        for pid in lock.withLock({ started }) {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        endStrays()
    }
}
