import Foundation
import ProjectPaths
#if canImport(Glibc)
import Glibc
#endif

/// `d2l-run serve CHAPTER --output TMP --port 0` as a child process, for browser and HTTP tests.
///
/// `init` waits for the first line of the server's standard output that reads
/// `http://127.0.0.1:PORT/?token=TOKEN` and exposes its parts; ``close()`` (or deinit) stops the
/// server with SIGTERM, then SIGKILL after 5 s, and removes the temporary folder.
///
/// ```swift
/// let served = try ServedChapter(chapter: "Chapters/rnn-scratch.md")
/// defer { served.close() }
/// try driver.navigate(to: served.url)
/// ```
final class ServedChapter {
    static let projectRoot = ProjectPaths.root
    static var d2lRun: URL { ProjectPaths.d2lRun }

    /// The URL the server printed, with its token (opening it sets the session cookie).
    let url: URL
    let port: Int
    let token: String
    /// `http://127.0.0.1:PORT` (no path, no token), to build API URLs.
    let baseURL: URL
    /// The temporary folder: `output/` is the server's `--output`, `serve-stderr.log` its standard error.
    let directory: URL
    let outputDirectory: URL

    private let process: Process
    private let stdoutCollector: LineCollector
    private let stderrURL: URL
    private var closed = false

    /// Starts the server on `chapter` (relative to the project root, or absolute) with `arguments`
    /// added after `--port 0`, and waits up to `startupTimeout` seconds for its URL.
    init(chapter: String, arguments: [String] = [], executable: URL = ServedChapter.d2lRun,
         startupTimeout: TimeInterval = 120) throws {
        let files = FileManager.default
        guard files.isExecutableFile(atPath: executable.path) else {
            throw ServedChapterError("\(executable.path) is not built: run `swift build` (or `make build`) first")
        }
        let directory = files.temporaryDirectory.appendingPathComponent("d2l-serve-\(UUID().uuidString)")
        let output = directory.appendingPathComponent("output")
        try files.createDirectory(at: output, withIntermediateDirectories: true)
        let stderrURL = directory.appendingPathComponent("serve-stderr.log")
        _ = files.createFile(atPath: stderrURL.path, contents: nil)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", chapter, "--output", output.path, "--port", "0"] + arguments
        process.currentDirectoryURL = Self.projectRoot
        let stdoutPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice
        let collector = LineCollector()
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                collector.finish()
            } else {
                collector.append(data)
            }
        }
        do {
            try process.run()
        } catch {
            try? files.removeItem(at: directory)
            throw ServedChapterError("could not start \(executable.path): \(error)")
        }
        try? stderrHandle.close()

        self.process = process
        self.stdoutCollector = collector
        self.stderrURL = stderrURL
        self.directory = directory
        self.outputDirectory = output

        // The first line that is the server's URL.
        let deadline = Date().addingTimeInterval(startupTimeout)
        var found: (URL, Int, String)?
        while found == nil {
            for line in collector.lines {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard text.hasPrefix("http://127.0.0.1:"), let candidate = URL(string: text),
                      let components = URLComponents(url: candidate, resolvingAgainstBaseURL: false),
                      let port = components.port,
                      let token = components.queryItems?.first(where: { $0.name == "token" })?.value, !token.isEmpty
                else { continue }
                found = (candidate, port, token)
                break
            }
            if found != nil { break }
            if collector.isFinished || !process.isRunning {
                let reason = process.isRunning ? "closed its standard output" : "exited with status \(process.terminationStatus)"
                Self.stop(process)
                let detail = Self.tail(stderrURL)
                try? files.removeItem(at: directory)
                throw ServedChapterError("d2l-run serve \(chapter) \(reason) before printing its URL; "
                    + "standard output: \(collector.lines.suffix(5).joined(separator: " | ")); standard error: \(detail)")
            }
            if Date() >= deadline {
                Self.stop(process)
                let detail = Self.tail(stderrURL)
                try? files.removeItem(at: directory)
                throw ServedChapterError("d2l-run serve \(chapter) printed no http://127.0.0.1:PORT/?token=... line within "
                    + "\(Int(startupTimeout)) s; standard error: \(detail)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let (url, port, token) = found!
        self.url = url
        self.port = port
        self.token = token
        self.baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    deinit { close() }

    /// The server's process id (for tests that check it ends its children).
    var processIdentifier: Int32 { process.processIdentifier }

    var isRunning: Bool { process.isRunning }

    /// How the server ended: its exit status (or signal) and whether it exited or was killed.
    var termination: (status: Int32, reason: Process.TerminationReason) { (process.terminationStatus, process.terminationReason) }

    /// What the server printed on standard output so far, one string per line.
    var standardOutputLines: [String] { stdoutCollector.lines }

    /// What the server printed on standard error so far.
    var standardError: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and removes the temporary folder;
    /// answers the exit status. Safe to call twice.
    @discardableResult
    func close() -> Int32 {
        guard !closed else { return process.isRunning ? -1 : process.terminationStatus }
        closed = true
        Self.stop(process)
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func tail(_ url: URL) -> String {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(10).joined(separator: " | ")
    }
}

struct ServedChapterError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Collects a child's output into lines, from the pipe's reading thread.
private final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var complete: [String] = []
    private var finished = false

    func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(data)
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            complete.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
            buffer.removeSubrange(buffer.startIndex...newline)
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if !buffer.isEmpty { complete.append(String(decoding: buffer, as: UTF8.self)) }
        buffer.removeAll()
        finished = true
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return complete
    }

    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
}
