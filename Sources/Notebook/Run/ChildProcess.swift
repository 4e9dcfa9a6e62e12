import Foundation

/// A child process with its standard output and error read as they arrive.
///
/// The child gets its own process group, so a time limit ends it together with anything it
/// forked (isolated cells), leaving nothing behind.
public enum ChildProcess {
    /// How a child ended.
    public struct Outcome: Equatable, Sendable {
        /// The exit status, or 128 + signal number when a signal ended it.
        public var status: Int32
        /// The signal that ended it, if one did.
        public var signal: Int32?
        /// Whether the time limit ended it.
        public var timedOut: Bool
        /// Everything written on each stream, when collected (see ``run(_:arguments:)``).
        public var standardOutput = ""
        public var standardError = ""

        /// How it ended, in a few words: "signal 9", "exit status 1".
        public var summary: String { signal.map { "signal \($0)" } ?? "exit status \(status)" }
    }

    /// Runs `executable` to completion and returns its output as text.
    public static func run(_ executable: String, arguments: [String]) throws -> Outcome {
        let out = CollectedBytes(), err = CollectedBytes()
        var outcome = try spawn(executable, arguments: arguments, environment: nil, timeLimit: nil,
                                onOutput: out.append, onError: err.append)
        outcome.standardOutput = out.text
        outcome.standardError = err.text
        return outcome
    }

    /// Runs `executable`, passing each chunk of standard output and error to the handlers (on
    /// reader threads, one per stream), and kills its process group after `timeLimit` seconds.
    ///
    /// Standard input is `/dev/null`. `controlChannel`, if given, becomes the child's
    /// descriptor 3 (the run's marker secret, then a live program's commands). Every pipe is close-on-exec in this process,
    /// so a child started at the same time by another thread cannot hold another's pipe open.
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String]?,
                             timeLimit: Double?,
                             controlChannel: Int32? = nil,
                             onOutput: @escaping @Sendable ([UInt8]) -> Void,
                             onError: @escaping @Sendable ([UInt8]) -> Void,
                             onStart: (pid_t) -> Void = { _ in }) throws -> Outcome {
        let outPipe = try closeOnExecPipe(), errPipe = try closeOnExecPipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let controlChannel { posix_spawn_file_actions_adddup2(&actions, controlChannel, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The runner ignores SIGINT and SIGTERM to handle them itself (d2l-run, serve, the kernel),
        // and ignored signals stay ignored across exec: the program gets every signal's default
        // action and an empty mask back.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var allSignals = sigset_t(), noSignals = sigset_t()
        sigfillset(&allSignals)
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = env.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        ProcessReaper.register(pid)
        onStart(pid)
        let readers = DispatchGroup()
        for (fd, handler) in [(outPipe[0], onOutput), (errPipe[0], onError)] {
            readers.enter()
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    handler(Array(buffer[0..<n]))
                }
                close(fd)
                readers.leave()
            }
        }

        let timedOut = TimeoutFlag()
        let childPID = pid
        if let timeLimit {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit) {
                if timedOut.fire() { kill(-childPID, SIGKILL) }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ProcessReaper.unregister(pid)
        // Forked isolated cells, or whatever a cell started, may still hold the pipes open:
        // end the whole group, and the strays that left it.
        kill(-pid, SIGKILL)
        ProcessReaper.endStrays()
        readers.wait()
        let firedBeforeTheEnd = timedOut.finish()
        let signalled = (status & 0x7f) != 0
        let signal: Int32? = signalled ? status & 0x7f : nil
        return Outcome(status: signalled ? 128 + (status & 0x7f) : (status >> 8) & 0xff,
                       signal: signal, timedOut: firedBeforeTheEnd)
    }
}

extension ChildProcess {
    /// The read end of a pipe holding `firstLine` (the run's secret), to become a child's
    /// control channel.
    static func controlChannel(sending firstLine: String) throws -> Int32 {
        let (reader, writer) = try openControlChannel(sending: firstLine)
        close(writer)
        return reader
    }

    /// The same, keeping the write end open for more lines later (a live program's commands).
    static func openControlChannel(sending firstLine: String) throws -> (reader: Int32, writer: Int32) {
        let ends = try closeOnExecPipe()
        // Above 3, so that making it the child's descriptor 3 is a real dup2, which clears
        // close-on-exec.
        let reader = fcntl(ends[0], F_DUPFD_CLOEXEC, 10)
        close(ends[0])
        let line = Array((firstLine + "\n").utf8)
        guard line.withUnsafeBytes({ write(ends[1], $0.baseAddress, $0.count) }) == line.count else {
            close(reader); close(ends[1])
            throw ChildProcessError("cannot write to the control channel")
        }
        return (reader, ends[1])
    }

    /// A pipe whose two ends are closed in any program this process starts (Glibc's module
    /// has no `pipe2`; the flag is set at once, before this code starts a child).
    static func closeOnExecPipe() throws -> [Int32] {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw ChildProcessError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return ends
    }
}

/// Whether a run's time limit fired before the run finished; the timer and the waiting thread
/// decide it under one lock.
private final class TimeoutFlag: @unchecked Sendable {  // its lock guards both flags
    private let lock = NSLock()
    private var fired = false
    private var finished = false

    /// The limit is reached: true if the run is still going (and is to be killed).
    func fire() -> Bool {
        lock.withLock {
            guard !finished else { return false }
            fired = true
            return true
        }
    }

    /// The run has finished: whether the limit fired first.
    func finish() -> Bool {
        lock.withLock {
            finished = true
            return fired
        }
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Bytes a reader thread appends and the caller reads once the readers are done.
private final class CollectedBytes: @unchecked Sendable {  // its lock guards `bytes`
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    func append(_ chunk: [UInt8]) { lock.withLock { bytes += chunk } }

    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
