import CellProtocol
import Foundation

/// The kernel front end of the engine (`d2l-run kernel`): runs cells as Jupyter does, each
/// seeing everything the cells before it in this kernel declared and did, on a ``CellHost``
/// whose program is ``KernelBaseProgram``, the same engine `serve` runs its exercises on.
///
/// A cell is compiled alone into a library module (``ChainedCellProgram``) that re-exports the
/// previous successful cell's module, and run keeping its state: a cell that ends normally
/// joins the chain of holders (``HolderChain``), its process holds the state from then on. A
/// cell that crashes, exits or is interrupted takes its process with it, and the process before
/// it holds the state again, as it was before that cell.
///
/// ```swift
/// let engine = KernelEngine(configuration: .init(toolchain: toolchain, directory: folder))
/// try await engine.start()
/// let outcome = await engine.execute("let x = 1\nx + 1") { event in print(event) }
/// await engine.shutdown()
/// ```
public actor KernelEngine {
    /// Where the engine finds the compiler and library, and keeps its files.
    public struct Configuration: Sendable {
        public var toolchain: Toolchain
        /// The seed and output limit (time limits do not apply: a kernel cell runs until done
        /// or interrupted).
        public var settings: RunSettings
        /// The engine's working folder (base program, cell libraries, figures); removed at
        /// shutdown.
        public var directory: URL
        /// Where cells look for data files (``DataSearchPath``).
        public var dataFolders: [String]

        public init(toolchain: Toolchain, settings: RunSettings = RunSettings(), directory: URL, dataFolders: [String]? = nil) {
            self.toolchain = toolchain
            self.settings = settings
            self.directory = directory
            self.dataFolders = dataFolders ?? [toolchain.dataDirectory]
        }
    }

    /// Where one cell's time went, in seconds.
    public struct Timings: Equatable, Sendable {
        /// Generating the cell's file (swift-syntax).
        public var generate: Double
        /// swiftc: the library and its module.
        public var compile: Double
        /// In the holder: fork, loading the library and running the cell, as the cell's
        /// process measured it (nil if it did not end normally).
        public var run: Double?
        /// From the request to the cell's end on both streams.
        public var total: Double
    }

    private let configuration: Configuration
    private var baseExecutable: String?
    private var host: CellHost?
    private var nextCell = 1
    private var completion = KernelCompletion()
    /// What the cells that ran declared, and the library's API, for `inspect`.
    private var declarations = DeclarationIndex()
    private var libraryDeclarations: DeclarationIndex?
    private var interruptRequested = false
    private var isShutDown = false
    /// Set when the state was lost (the base program ended): the next cell says so.
    private var lostState: String?
    /// The last executed cell's timings.
    public private(set) var lastTimings: Timings?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    private var cellDirectory: URL { configuration.directory.appendingPathComponent("cells") }
    private var baseDirectory: URL { configuration.directory.appendingPathComponent("base") }

    /// The processes holding the state, base first.
    public var holderPIDs: [Int32] { get async { await host?.holderPIDs ?? [] } }

    /// Compiles the base program (once) and starts it; returns when it serves cells.
    ///
    /// - Throws: ``KernelEngineError`` when the base program does not compile or start.
    public func start() async throws {
        guard host == nil else { return }
        guard !isShutDown else { throw KernelEngineError("the kernel has shut down") }
        // A start already under way (a warm-up, then the first cell): wait for it, once.
        if let starting { return try await starting.value }
        let task = Task { try await launch() }
        starting = task
        defer { starting = nil }
        try await task.value
    }

    private var starting: Task<Void, Error>?

    private func launch() async throws {
        let executable = try await compiledBase()
        let host = try await CellHost.start(executable: executable, moduleDirectory: baseDirectory.appendingPathComponent("module"),
                                            settings: configuration.settings, dataFolders: configuration.dataFolders)
        self.host = host
        guard await host.waitUntilServing() else {
            await host.stop()
            self.host = nil
            throw KernelEngineError("the kernel's base program ended before serving cells: \(host.exit?.standardError ?? "")")
        }
    }

    private func compiledBase() async throws -> String {
        if let baseExecutable { return baseExecutable }
        let compiler = Compiler(toolchain: configuration.toolchain)
        let directory = baseDirectory
        let compiled = try await offThePool { try compiler.compileLive(KernelBaseProgram.program, in: directory) }
        guard let executable = compiled.executable else {
            throw KernelEngineError("the kernel's base program did not compile: "
                                    + (compiled.diagnostics.map(\.rendered) + [compiled.otherOutput]).joined(separator: "\n"))
        }
        baseExecutable = executable
        return executable
    }

    /// Runs `code` as the next cell, publishing its outputs through `publish` as they appear.
    public func execute(_ code: String, publish: @escaping @Sendable (KernelEvent) -> Void) async -> KernelCellOutcome {
        let started = Date()
        interruptRequested = false
        if let lost = lostState {
            lostState = nil
            publish(.stream(name: "stderr", text: "d2l-run kernel: \(lost); this cell starts from a fresh state\n"))
        }
        do {
            try await start()
        } catch {
            return .failed(KernelCellError(kind: .kernelError, message: "\(error)"))
        }
        guard let host, let previousModule = await host.holderModule else {
            return .failed(KernelCellError(kind: .kernelError, message: "the kernel has shut down"))
        }

        let index = nextCell
        nextCell += 1
        let module = ChainedCellProgram.moduleName(index)
        let text = ChainedCellProgram.generate(code, index: index, previousModule: previousModule)
        let generated = Date()
        let compiler = Compiler(toolchain: configuration.toolchain)
        let cells = cellDirectory, base = baseDirectory.appendingPathComponent("module")
        var compiled: CompileResult
        do {
            compiled = try await offThePool {
                try compiler.compileChainedCell(text, moduleName: module, in: cells, baseModuleDirectory: base)
            }
        } catch {
            return .failed(KernelCellError(kind: .kernelError, message: "\(error)"))
        }
        compiled.diagnostics = ChainedCellProgram.diagnosticsAsWritten(compiled.diagnostics, source: code)
        var timings = Timings(generate: generated.timeIntervalSince(started), compile: compiled.seconds, run: nil, total: 0)
        defer { timings.total = Date().timeIntervalSince(started); lastTimings = timings }
        let cell = Cell(index: index, id: "cell-\(index)", source: code, line: 1)
        let alone = Chapter(path: ChainedCellProgram.fileName(index), blocks: [.cell(cell)])
        guard let library = compiled.executable else {
            return .failed(compileError(compiled, cell: cell, chapter: alone))
        }
        if interruptRequested {
            return .failed(KernelCellError(kind: .interrupted, message: "interrupted before it ran; " + KernelCellError.stateNote))
        }
        for output in CellDiagnostics(chapter: alone, diagnostics: compiled.diagnostics).outputs(for: cell) {
            if case let .standardError(warning) = output { publish(.stream(name: "stderr", text: located(warning, in: alone))) }
        }

        let figures = FigureRenderer(directory: configuration.directory.appendingPathComponent("figures"))
        var figureCount = 0
        let translator = KernelEventTranslator(liveDisplayID: "d2l-cell-\(index)-live-figure") { figure in
            figureCount += 1
            return try? figures.render(figure, name: "cell\(index)-fig\(figureCount)").svg
        }
        let run = await host.run(cell: index, library: library, keepingStateAs: module, translator: translator, publish: publish)
        switch run.end {
        case .holder:
            timings.run = run.record.seconds
            completion.add(cellSource: code)
            declarations.add(source: code, origin: "cell \(index) of this kernel")
            return .ok
        case .resumed:
            if run.interrupted {
                return .failed(KernelCellError(kind: .interrupted, message: "interrupted; " + KernelCellError.stateNote))
            }
            return .failed(runtimeError(run, cell: cell, chapter: alone))
        case .programEnded:
            return await baseEnded(host)
        }
    }

    /// The base program ended (killed from outside, or shut down): the state is gone.
    private func baseEnded(_ host: CellHost) async -> KernelCellOutcome {
        let shutDown = isShutDown
        // A restart during the cell may have put a new host in its place: that one stays.
        if self.host === host { await stopProgram() } else { await host.stop() }
        if shutDown { return .failed(KernelCellError(kind: .kernelError, message: "the kernel has shut down")) }
        let why = "the process holding the kernel's state ended (\(host.exit?.summary ?? "unknown status"))"
        lostState = why
        return .failed(KernelCellError(kind: .kernelError, message: why + "; the next cell starts from a fresh state"))
    }

    /// A compile failure: each error at its line in the cell with the compiler's caret.
    private func compileError(_ compiled: CompileResult, cell: Cell, chapter: Chapter) -> KernelCellError {
        let outputs = CellDiagnostics(chapter: chapter, diagnostics: compiled.diagnostics).failedCompileOutputs(for: cell, compiled: compiled)
        let errors = outputs.compactMap { output -> CellError? in
            if case let .error(error) = output { return error } else { return nil }
        }
        var error = KernelCellError(kind: .compileError, errors[0])
        for more in errors.dropFirst() {
            error.details += [KernelCellError(kind: .compileError, more).message.replacingOccurrences(of: "; " + KernelCellError.stateNote, with: "")]
                + more.details.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return error
    }

    /// A cell whose process ended: the crash report's message and line, or the signal or status.
    private func runtimeError(_ run: CellHost.Run, cell: Cell, chapter: Chapter) -> KernelCellError {
        var error = run.result(cell: cell, chapter: chapter).error ?? CellError(message: "the cell's process ended")
        error.details = error.details.replacingOccurrences(of: chapter.path + ":", with: "line ")
        return KernelCellError(kind: .runtimeError, error)
    }

    /// A warning's text with the cell's line instead of the engine's file name.
    private func located(_ text: String, in chapter: Chapter) -> String {
        text.replacingOccurrences(of: chapter.path + ":", with: "line ")
    }

    /// Ends the running cell and everything it started; the state is as before it.
    public func interrupt() {
        interruptRequested = true
        host?.interrupt()
    }

    /// Ends every holder and starts a fresh base: nothing any cell did is kept.
    public func restart() async throws {
        await stopProgram()
        try await start()
    }

    /// Ends every process the engine started and removes its files.
    public func shutdown() async {
        isShutDown = true
        await stopProgram()
        try? FileManager.default.removeItem(at: configuration.directory)
    }

    private func stopProgram() async {
        guard let host else { return }
        await host.stop()
        self.host = nil
        completion = KernelCompletion()
        declarations = DeclarationIndex()
    }

    /// Completion candidates at `cursor` (Unicode scalars into `code`): the names the cells
    /// that ran declared, and their types' members.
    public func complete(_ code: String, cursor: Int) -> (matches: [String], start: Int) {
        completion.complete(code, cursor: cursor)
    }

    /// What is known of the name at `cursor` (Unicode scalars into `code`): its declarations
    /// in the cells that ran, latest first, then in the library, with their doc comments; nil
    /// if nothing is.
    public func inspect(_ code: String, cursor: Int) async -> String? {
        guard let name = DeclarationIndex.identifier(in: code, at: cursor) else { return nil }
        let library = await libraryIndex()
        let found = [declarations.describe(name), library.describe(name)].compactMap { $0 }
        return found.isEmpty ? nil : found.joined(separator: "\n\n")
    }

    /// The library's public declarations, read once (about 50 files), off the cooperative pool.
    private func libraryIndex() async -> DeclarationIndex {
        if let libraryDeclarations { return libraryDeclarations }
        let folder = configuration.toolchain.librarySources
        let index = (try? await offThePool { () -> DeclarationIndex in
            var index = DeclarationIndex()
            guard let folder, let files = FileManager.default.enumerator(atPath: folder) else { return index }
            for case let file as String in files where file.hasSuffix(".swift") {
                guard let text = try? String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8) else { continue }
                index.add(source: text, origin: "D2LSwift, \(file)", publicOnly: true)
            }
            return index
        }) ?? DeclarationIndex()
        libraryDeclarations = index
        return index
    }
}

/// The kernel engine could not start or serve.
public struct KernelEngineError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
