import Foundation

/// Where this checkout and its built products are, for the test targets (found from this
/// file: Tests/ProjectPaths/ProjectPaths.swift).
public enum ProjectPaths {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `d2l-run` that `make build` builds (a debug runner; the chapters it runs link against
    /// the release D2LSwift, see Toolchain.locate).
    public static let d2lRun = root.appendingPathComponent(".build/debug/d2l-run")

    /// Runs `executable` to its end; its exit status and everything it wrote on both streams.
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                           environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Read before waiting: a full pipe would block the process.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
