import Foundation

/// What compiling a generated program produced.
public struct CompileResult: Equatable, Sendable {
    /// The executable, when compilation succeeded.
    public var executable: String?
    public var diagnostics: [Diagnostic]
    /// Compiler output that is not a located diagnostic (linker errors, driver failures).
    public var otherOutput: String
    public var seconds: Double
    /// Whether the executable is the one a previous compile of the same program left.
    public var reused = false

    public var succeeded: Bool { executable != nil }

    /// This result with `errors` found before compiling (``CellOrderCheck``) added: a program
    /// that has any does not run, so it has no executable.
    func refusing(_ errors: [Diagnostic]) -> CompileResult {
        guard !errors.isEmpty else { return self }
        var refused = self
        if let executable { try? FileManager.default.removeItem(atPath: executable) }
        refused.executable = nil
        refused.diagnostics = (errors + diagnostics).sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        return refused
    }
}

/// The compile stage: `swiftc` on the generated `main.swift`, against the built library.
public struct Compiler: Sendable {
    public var toolchain: Toolchain

    public init(toolchain: Toolchain) { self.toolchain = toolchain }

    /// Writes `program` into `directory` and compiles it there.
    ///
    /// With `fingerprint` (``Toolchain/fingerprint()``: the library, compiler and runner), the
    /// executable is stamped so that ``reusable(_:in:fingerprint:)`` can find it again.
    public func compile(_ program: GeneratedProgram, in directory: URL, fingerprint: String? = nil) throws -> CompileResult {
        let (executable, stamp, arguments) = files(in: directory)
        try? FileManager.default.removeItem(at: stamp)
        _ = try write(program.source, named: "main.swift", in: directory)
        let result = try invoke(arguments, producing: executable).refusing(program.orderErrors)
        // Only a program that compiled cleanly is reused: its warnings belong on the page.
        if let fingerprint, result.succeeded, result.diagnostics.isEmpty {
            try? AtomicFile.write(Data(Self.programKey(source: program.source, arguments: arguments, fingerprint: fingerprint).utf8),
                                  to: stamp)
        }
        return result
    }

    /// The executable that a compile of the same program, with the same arguments, library,
    /// compiler and runner (`fingerprint`), left in `directory`: a run whose program did not
    /// change (a new seed, `--force`) does not pay for the compiler.
    public func reusable(_ program: GeneratedProgram, in directory: URL, fingerprint: String) -> CompileResult? {
        let (executable, stamp, arguments) = files(in: directory)
        guard program.orderErrors.isEmpty, (try? String(contentsOf: stamp, encoding: .utf8)) == Self.programKey(source: program.source, arguments: arguments, fingerprint: fingerprint),
              FileManager.default.isExecutableFile(atPath: executable.path) else { return nil }
        return CompileResult(executable: executable.path, diagnostics: [], otherOutput: "", seconds: 0, reused: true)
    }

    private func files(in directory: URL) -> (executable: URL, stamp: URL, arguments: [String]) {
        let executable = directory.appendingPathComponent("chapter-program")
        let arguments = toolchain.arguments(source: directory.appendingPathComponent("main.swift").path, output: executable.path)
        return (executable, directory.appendingPathComponent("chapter-program.key"), arguments)
    }

    /// What decides whether a compiled chapter program can be used again.
    static func programKey(source: String, arguments: [String], fingerprint: String) -> String {
        var hash = ContentHash()
        hash.combine(source)
        arguments.forEach { hash.combine($0) }
        hash.combine(fingerprint)
        return hash.hex
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
        return result.refusing(program.orderErrors)
    }

    /// Compiles one live cell's `source` (see ``LiveCellProgram``) into the shared library
    /// `name`.so in `directory`, against the live program's module in `moduleDirectory`.
    public func compileLiveCell(_ source: String, named name: String, in directory: URL, moduleDirectory: URL) throws -> CompileResult {
        let file = try write(source, named: "\(name).swift", in: directory)
        let library = directory.appendingPathComponent("\(name).so")
        return try invoke(toolchain.liveCellArguments(source: file.path, moduleDirectory: moduleDirectory.path,
                                                      output: library.path), producing: library)
    }

    /// Compiles kernel cell `moduleName`'s `source` (see ``ChainedCellProgram``) into
    /// `moduleName`.so and its module in `cellDirectory`.
    public func compileChainedCell(_ source: String, moduleName: String, in cellDirectory: URL,
                                   baseModuleDirectory: URL) throws -> CompileResult {
        let file = try write(source, named: "\(moduleName).swift", in: cellDirectory)
        let library = cellDirectory.appendingPathComponent("\(moduleName).so")
        return try invoke(toolchain.chainedCellArguments(source: file.path, moduleName: moduleName,
                                                         cellDirectory: cellDirectory.path,
                                                         baseModuleDirectory: baseModuleDirectory.path,
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
