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
        let source = try write(program.source, named: "main.swift", in: directory)
        let executable = directory.appendingPathComponent("chapter-program")
        return try invoke(toolchain.arguments(source: source.path, output: executable.path), producing: executable)
    }

    /// Compiles a live program (`d2l-run serve`) in `directory`: the executable, and beside it
    /// in `module/` the module that cell libraries import, both at once on two cores.
    public func compileLive(_ program: GeneratedProgram, in directory: URL) throws -> CompileResult {
        let source = try write(program.source, named: "main.swift", in: directory)
        let executable = directory.appendingPathComponent("chapter-program")
        let module = directory.appendingPathComponent("module")
        try FileManager.default.createDirectory(at: module, withIntermediateDirectories: true)
        let moduleFile = module.appendingPathComponent("ChapterProgram.swiftmodule")
        try? FileManager.default.removeItem(at: moduleFile)
        let start = Date()
        nonisolated(unsafe) var moduleResult: Result<CompileResult, Error>?
        let moduleDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            moduleResult = Result {
                try invoke(toolchain.liveModuleArguments(source: source.path, moduleDirectory: module.path), producing: moduleFile)
            }
            moduleDone.signal()
        }
        var result = try invoke(toolchain.liveProgramArguments(source: source.path, output: executable.path),
                                producing: executable)
        moduleDone.wait()
        let moduleCompile = try moduleResult!.get()
        if result.succeeded && !moduleCompile.succeeded {
            result.executable = nil
            result.otherOutput += "\n" + moduleCompile.otherOutput
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// Compiles one live cell's `source` (see ``LiveCellProgram``) into the shared library
    /// `name`.so in `directory`, against the live program's module in `moduleDirectory`.
    public func compileLiveCell(_ source: String, named name: String, in directory: URL, moduleDirectory: URL) throws -> CompileResult {
        let file = try write(source, named: "\(name).swift", in: directory)
        let library = directory.appendingPathComponent("\(name).so")
        return try invoke(toolchain.liveCellArguments(source: file.path, moduleDirectory: moduleDirectory.path,
                                                      output: library.path), producing: library)
    }

    private func write(_ text: String, named name: String, in directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Runs swiftc with `arguments`; it succeeded when it exits with 0 and made `product`.
    private func invoke(_ arguments: [String], producing product: URL) throws -> CompileResult {
        try? FileManager.default.removeItem(at: product)
        let start = Date()
        let result = try ChildProcess.run(toolchain.swiftc, arguments: arguments)
        let seconds = Date().timeIntervalSince(start)
        let output = result.standardOutput + result.standardError
        let diagnostics = Diagnostic.parse(output)
        let other = output.split(separator: "\n").filter { line in
            !line.hasPrefix("error: emit-module command failed") && !diagnostics.contains { line.contains($0.message) }
                && !diagnostics.contains { $0.excerpt.contains(line) }
        }.joined(separator: "\n")
        let succeeded = result.status == 0 && FileManager.default.fileExists(atPath: product.path)
        return CompileResult(executable: succeeded ? product.path : nil, diagnostics: diagnostics,
                             otherOutput: other, seconds: seconds)
    }
}
