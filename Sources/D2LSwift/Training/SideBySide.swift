import CellProtocol
import ChapterRuntime
import Foundation

/// Runs independent pieces of work, such as the trainings of an exercise's variants, side by
/// side: each in a forked copy of the process with one thread, as many at once as
/// ``Parallelism/threads`` allows, and returns their results in order.
///
/// Two trainings on one thread each get through more epochs than one training after another
/// with each batch split between the cores (the split's halves are small and wait for each
/// other). What a task prints is shown after all have ended, task by task in order, so a page
/// reads the same whatever finished first. Task `k` draws its random numbers from a generator
/// seeded from the shared generator's next value and `k`: results depend on the seed, never on
/// timing. A task that crashes, exits or throws stops the cell with a message naming it.
public func sideBySide<T: Codable>(_ tasks: [() throws -> T], file: String = #fileID, line: Int = #line) -> [T] {
    let base = Random.generator.next()
    let slots = min(Parallelism.threads, tasks.count)
    guard slots >= 2, !WorkerPool.jobRunning.load(ordering: .relaxed) else {
        return tasks.enumerated().map { index, task in
            SideBySide.inProcess(task, index: index, base: base, file: file, line: line)
        }
    }
    var runs: [SideBySide.Run] = []
    var running: [Int] = []
    var next = 0
    while next < tasks.count || !running.isEmpty {
        while next < tasks.count && running.count < slots {
            guard let run = SideBySide.start(tasks[next], index: next, base: base) else {
                CellRuntime.fail("side-by-side task \(next + 1) of \(tasks.count) could not start: errno \(errno)", file: file, line: line)
            }
            runs.append(run)
            running.append(next)
            next += 1
        }
        // Polled: waiting for any child could reap one this process does not own.
        running.removeAll { runs[$0].reapIfEnded() }
        if !running.isEmpty { usleep(2000) }
    }
    return runs.enumerated().map { index, run in
        run.replayOutput()
        // A task stopped by a failed check has said why in what was just replayed.
        if run.exitStatus == CellRuntime.failureExitStatus { exit(CellRuntime.failureExitStatus) }
        switch run.result(as: T.self) {
        case let .success(value): return value
        case let .failure(problem):
            CellRuntime.fail("side-by-side task \(index + 1) of \(tasks.count) \(problem.message)", file: file, line: line)
        }
    }
}

/// The mechanics of ``sideBySide(_:file:line:)``.
enum SideBySide {
    /// Why a task gave no result.
    struct Problem: Error {
        var message: String
    }

    /// What a child writes into its result file.
    private struct Outcome<T: Codable>: Codable {
        var value: T?
        var error: String?
    }

    /// The seed of task `index`, from the shared generator's draw `base`.
    static func seed(base: UInt64, index: Int) -> UInt64 { base &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1) }

    /// Runs a task in this process (one core, or a single task), with its own generator; the
    /// shared generator goes on as if the task had run elsewhere.
    static func inProcess<T>(_ task: () throws -> T, index: Int, base: UInt64, file: String, line: Int) -> T {
        let saved = Random.generator
        defer { Random.generator = saved }
        Random.seed(seed(base: base, index: index))
        do {
            return try task()
        } catch {
            CellRuntime.fail("side-by-side task \(index + 1) threw: \(error)", file: file, line: line)
        }
    }

    /// A task running in a forked child: its pid, the files holding what it printed and its
    /// result, and, once reaped, how it ended.
    final class Run {
        let pid: pid_t
        let output: UnsafeMutablePointer<FILE>
        let resultFile: UnsafeMutablePointer<FILE>
        private(set) var exitStatus: Int32?

        init(pid: pid_t, output: UnsafeMutablePointer<FILE>, resultFile: UnsafeMutablePointer<FILE>) {
            self.pid = pid
            self.output = output
            self.resultFile = resultFile
        }

        deinit {
            fclose(output)
            fclose(resultFile)
        }

        /// Whether the child has ended (and is now reaped).
        func reapIfEnded() -> Bool {
            var status: Int32 = 0
            var reaped = waitpid(pid, &status, WNOHANG)
            while reaped < 0 && errno == EINTR { reaped = waitpid(pid, &status, WNOHANG) }
            guard reaped == pid || reaped < 0 else { return false }
            exitStatus = reaped < 0 ? -1 : CellRuntime.exitStatus(waitStatus: status)
            return true
        }

        /// Writes what the child printed (text and the notebook's markers) to this process's
        /// standard output.
        func replayOutput() {
            let printed = Self.contents(of: output)
            fflush(stdout)
            printed.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
            fflush(stdout)
        }

        func result<T: Codable>(as type: T.Type) -> Result<T, Problem> {
            let data = Self.contents(of: resultFile)
            let outcome = try? JSONDecoder().decode(Outcome<T>.self, from: data)
            if let error = outcome?.error { return .failure(Problem(message: "threw: \(error)")) }
            if let value = outcome?.value, exitStatus == 0 { return .success(value) }
            switch exitStatus ?? -1 {
            case 0: return .failure(Problem(message: "ended without a result"))
            case let status where status > 128: return .failure(Problem(message: "was killed by signal \(status - 128)"))
            case let status: return .failure(Problem(message: "exited with status \(status)"))
            }
        }

        /// Everything written to `file`, from its start.
        private static func contents(of file: UnsafeMutablePointer<FILE>) -> Data {
            rewind(file)
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                data.append(contentsOf: buffer[0..<count])
            }
            return data
        }
    }

    /// Forks a child that runs `task` with one thread and its own generator, its standard
    /// output going to a file, and its result encoded into another; nil when fork fails.
    static func start<T: Codable>(_ task: () throws -> T, index: Int, base: UInt64) -> Run? {
        guard let output = tmpfile(), let resultFile = tmpfile() else { return nil }
        // Buffered output would otherwise be written twice, by the parent and by the child.
        fflush(nil)
        let pid = fork()
        if pid < 0 {
            fclose(output)
            fclose(resultFile)
            return nil
        }
        if pid > 0 { return Run(pid: pid, output: output, resultFile: resultFile) }
        dup2(fileno(output), STDOUT_FILENO)
        Parallelism.threads = 1
        Random.seed(seed(base: base, index: index))
        var outcome = Outcome<T>()
        do {
            outcome.value = try task()
        } catch {
            outcome.error = "\(error)"
        }
        if let data = try? JSONEncoder().encode(outcome) {
            data.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, resultFile) }
        }
        fflush(nil)
        // Not exit(): the parent's exit handlers are not this child's to run.
        _exit(0)
    }
}
