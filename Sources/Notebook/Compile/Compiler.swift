import Foundation

/// What compiling a generated program produced.
public struct CompileResult: Equatable, Sendable {
    /// The executable, when compilation succeeded.
    public var executable: String?
    public var diagnostics: [Diagnostic]
    /// Compiler output that is not a located diagnostic (linker errors, driver failures).
    public var otherOutput: String
    public var seconds: Double

    public var succeeded: Bool { executable != nil }
}

/// The compile stage: `swiftc` on the generated `main.swift`, against the built library.
public struct Compiler {
    public var toolchain: Toolchain

    public init(toolchain: Toolchain) { self.toolchain = toolchain }

    /// Writes `program` into `directory` and compiles it there.
    public func compile(_ program: GeneratedProgram, in directory: URL) throws -> CompileResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = directory.appendingPathComponent("main.swift")
        let executable = directory.appendingPathComponent("chapter-program")
        try program.source.write(to: source, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: executable)
        let start = Date()
        let result = try ChildProcess.run(toolchain.swiftc,
                                          arguments: toolchain.arguments(source: source.path, output: executable.path))
        let seconds = Date().timeIntervalSince(start)
        let output = result.standardOutput + result.standardError
        let diagnostics = Diagnostic.parse(output)
        let other = output.split(separator: "\n").filter { line in
            !line.hasPrefix("error: emit-module command failed") && !diagnostics.contains { line.contains($0.message) }
                && !diagnostics.contains { $0.excerpt.contains(line) }
        }.joined(separator: "\n")
        let succeeded = result.status == 0 && FileManager.default.fileExists(atPath: executable.path)
        return CompileResult(executable: succeeded ? executable.path : nil, diagnostics: diagnostics,
                             otherOutput: other, seconds: seconds)
    }
}
