import CellProtocol
import Foundation

/// Runs a chapter through every stage (parse, plan, generate, compile, run, weave) and writes
/// its outputs: the HTML page, the notebook and each figure's files.
public struct ChapterRunner {
    public var toolchain: Toolchain
    public var settings: RunSettings
    public var exercises: ExerciseSelection
    /// Where the page, notebook and figures go.
    public var outputDirectory: URL
    /// Reports progress (cell started, training lines) while it runs.
    public var log: @Sendable (String) -> Void
    /// Whether results may come from the cache (`--force` turns it off).
    public var usesCache = true

    public init(toolchain: Toolchain, settings: RunSettings = RunSettings(), exercises: ExerciseSelection = .none,
                outputDirectory: URL, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.toolchain = toolchain
        self.settings = settings
        self.exercises = exercises
        self.outputDirectory = outputDirectory
        self.log = log
    }

    /// What a run wrote and measured.
    public struct Report {
        public var chapter: Chapter
        public var results: RunResult
        public var pagePath: URL
        public var notebookPath: URL
        public var figurePaths: [URL]
        public var compileSeconds: Double
        /// Whether the results came from the cache: nothing was compiled or run.
        public var cacheHit = false
        /// Whether the compiled program of an earlier run was used again.
        public var compileReused = false
        /// Where the run's time went, stage by stage.
        public var stages = StageTimes()
    }

    /// Runs the chapter at `path`. Throws ``ChapterError`` for a chapter that cannot be read;
    /// cell failures are in the report, and the page is written either way.
    public func run(chapterAt path: String) throws -> Report {
        var times = StageTimes()
        let chapter = try times.measure("parse") { try ChapterParser.parse(fileAt: path) }
        try exercises.check(against: chapter)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let lock = try OutputFolderLock(folder: outputDirectory, name: name, log: log)
        defer { lock.release() }
        let cache = RunCache(file: outputDirectory.appendingPathComponent(".cache/\(name).json"))
        let plans = CellPlan.plans(for: chapter, exercises: exercises)
        let fingerprint = times.measure("fingerprint") { toolchain.fingerprint() }
        let environment = Self.environmentKey(fingerprint: fingerprint, settings: settings)
        let keys = RunCache.keys(for: chapter, plans: plans, environment: environment)
        let exercises = ExerciseResultStore(file: outputDirectory.appendingPathComponent(".cache/\(name)-exercises.json"))
        let mainKey = CellKeys.mainKey(for: chapter, environment: environment)
        let dataFolders = toolchain.dataFolders(forChapterAt: chapter.path)
        let cached = usesCache
            ? times.measure("cache lookup") { cache.lookup(keys: keys, chapter: chapter, dataFolders: dataFolders) } : nil
        if let cached {
            log("no cell changed since the last run: reusing its results")
            var report = try write(chapter, results: Self.withExerciseHistory(cached, chapter: chapter, plans: plans,
                                                                               store: exercises, mainKey: mainKey),
                                   name: name, times: &times)
            report.cacheHit = true
            return report
        }
        var compileReused = false
        let results = try execute(chapter, plans: plans,
                                  workDirectory: outputDirectory.appendingPathComponent(".cache/build-\(name)"),
                                  fingerprint: fingerprint, times: &times, compileReused: &compileReused)
        if !results.timedOut {
            try times.measure("cache store") {
                try cache.store(results, keys: keys, chapter: chapter)
                try Self.storeExercises(results, chapter: chapter, plans: plans, store: exercises, mainKey: mainKey)
            }
        }
        var report = try write(chapter, results: Self.withExerciseHistory(results, chapter: chapter, plans: plans,
                                                                           store: exercises, mainKey: mainKey),
                               name: name, times: &times)
        report.compileReused = compileReused
        return report
    }

    /// Keeps each exercise this run ran, when every main cell ran as intended before it.
    static func storeExercises(_ results: RunResult, chapter: Chapter, plans: [CellPlan], store: ExerciseResultStore,
                               mainKey: String) throws {
        let mainRan = zip(chapter.cells, results.cells).allSatisfy { cell, result in
            cell.tags.exercise || !plans[cell.index].runs || result.status == .ok || result.status == .failedAsExpected
        }
        guard mainRan else { return }
        for cell in chapter.cells where cell.tags.exercise && plans[cell.index].runs {
            let result = results.cells[cell.index]
            guard result.status != .notRun else { continue }
            try store.store(ExerciseResultStore.Entry(source: cell.source, mainKey: mainKey,
                                                      ranAt: result.ended ?? Date().timeIntervalSince1970, result: result),
                            id: cell.id)
        }
    }

    /// Exercises not run this time show their last run's outputs, marked with when they ran
    /// and whether they are stale.
    static func withExerciseHistory(_ results: RunResult, chapter: Chapter, plans: [CellPlan], store: ExerciseResultStore,
                                    mainKey: String) -> RunResult {
        let entries = store.load()
        var results = results
        for cell in chapter.cells where cell.tags.exercise && !plans[cell.index].runs {
            // A result is shown only beside the source that made it: `serve` stores runs of
            // unsaved edits too.
            guard let entry = entries[cell.id], entry.source == cell.source, cell.index < results.cells.count else { continue }
            var shown = results.cells[cell.index]
            shown.outputs = entry.result.outputs
            shown.seconds = entry.result.seconds
            shown.previousRun = CellResult.PreviousRun(
                ranAt: entry.ranAt, isStale: entry.key(id: cell.id) != CellKeys.exerciseKey(mainKey: mainKey, id: cell.id, source: cell.source))
            results.cells[cell.index] = shown
        }
        return results
    }

    /// What cached results depend on besides the chapter: the toolchain, library and data
    /// (``Toolchain/fingerprint()``) and the settings that change outputs.
    public static func environmentKey(toolchain: Toolchain, settings: RunSettings) -> String {
        environmentKey(fingerprint: toolchain.fingerprint(), settings: settings)
    }

    static func environmentKey(fingerprint: String, settings: RunSettings) -> String {
        "\(fingerprint) seed=\(settings.seed) outputLimit=\(settings.outputLimit)"
    }

    /// Compiles and runs the chapter's cells. On a compile error, the cells before the first
    /// failing cell are compiled again alone and run, so the page shows their results.
    public func execute(_ chapter: Chapter, plans requested: [CellPlan], workDirectory: URL) throws -> RunResult {
        var times = StageTimes(), reused = false
        return try execute(chapter, plans: requested, workDirectory: workDirectory, fingerprint: nil,
                           times: &times, compileReused: &reused)
    }

    /// ``execute(_:plans:workDirectory:)``, reusing the compiled program when `fingerprint` and
    /// the program are those of the last compile, and recording each stage's time.
    func execute(_ chapter: Chapter, plans requested: [CellPlan], workDirectory: URL, fingerprint: String?,
                 times: inout StageTimes, compileReused: inout Bool) throws -> RunResult {
        let compiler = Compiler(toolchain: toolchain)
        var plans = requested
        let program = times.measure("generate") { ProgramGenerator.generate(chapter, plans: plans) }
        var compiled: CompileResult
        if let fingerprint, let reused = compiler.reusable(program, in: workDirectory, fingerprint: fingerprint) {
            log("the chapter program's cells did not change: running the last compile again")
            compiled = reused
            compileReused = true
        } else {
            log("compiling \(chapter.cells.filter { plans[$0.index].runs }.count) cells")
            compiled = try times.measure("compile") { try compiler.compile(program, in: workDirectory, fingerprint: fingerprint) }
        }
        var compileSeconds = compiled.seconds
        // A compile that fails is tried again without the first failing cell and those after it,
        // until the cells before every error compile: the compiler may report an error of an
        // earlier cell only once a later one is gone (it type-checks function bodies after the
        // top-level code), and the cells before the first error run.
        var failures: [CellDiagnostics] = []
        while !compiled.succeeded {
            let failure = CellDiagnostics(chapter: chapter, diagnostics: compiled.diagnostics)
            guard let first = failure.firstFailingCell else {
                throw ToolchainError("the chapter program did not compile, and no error names a cell:\n" +
                                     (compiled.diagnostics.map(\.rendered) + [compiled.otherOutput]).joined(separator: "\n"))
            }
            failures.append(failure)
            plans = plans.enumerated().map { $0.offset >= first.index ? .skip(reason: "after a compile error") : $0.element }
            guard plans.contains(where: \.runs) else { break }
            log("compile error in cell \(first.id) (\(chapter.path):\(first.line)); compiling the cells before it")
            compiled = try times.measure("compile the cells before the error") {
                try compiler.compile(ProgramGenerator.generate(chapter, plans: plans), in: workDirectory)
            }
            compileSeconds += compiled.seconds
        }
        var results = RunResult(cells: [])
        if let executable = compiled.executable {
            let cells = chapter.cells
            let log = self.log
            let programStart = Date().timeIntervalSince1970
            results = try ProgramRunner(settings: settings,
                                        dataFolders: toolchain.dataFolders(forChapterAt: chapter.path),
                                        onProgress: { log("  " + $0) },
                                        onCellStart: { log("cell \(cells[$0].id) (line \(cells[$0].line))") })
                .run(executable, chapter: chapter, plans: plans)
            let ran = results.cells.compactMap { result -> (id: String, started: Double, ended: Double)? in
                guard let started = result.started, let ended = result.ended else { return nil }
                return (cells[result.index].id, started, ended)
            }
            for stage in StageTimes.programStages(programStart: programStart, programEnd: Date().timeIntervalSince1970, cells: ran) {
                times.record(stage.name, seconds: stage.seconds)
            }
        } else {
            results.cells = chapter.cells.map { CellResult(index: $0.index, status: .notRun, note: "not run: compile error") }
        }
        results.compileSeconds = compileSeconds
        if !failures.isEmpty { results = merge(failures, into: results, chapter: chapter, plans: requested) }
        // Warnings go at the top of their cell's outputs (merge placed those of later cells); the
        // last compile, of the cells that ran, reported them all.
        let diagnostics = CellDiagnostics(chapter: chapter, diagnostics: compiled.diagnostics)
        let firstFailing = failures.last?.firstFailingCell?.index ?? chapter.cells.count
        for cell in chapter.cells where cell.index < firstFailing && results.cells[cell.index].status != .skipped {
            results.cells[cell.index].outputs.insert(contentsOf: diagnostics.outputs(for: cell), at: 0)
        }
        return results
    }

    /// Puts each compile's diagnostics at their cells. The first failing cell fails; a later
    /// cell shows the errors reported in it but is not run, and is not blamed: they may follow
    /// from the first error (a wrong type can make a later, untouched expression fail).
    private func merge(_ failures: [CellDiagnostics], into results: RunResult, chapter: Chapter,
                       plans original: [CellPlan]) -> RunResult {
        var merged = results
        let first = failures.last!.firstFailingCell!
        for cell in chapter.cells where cell.index >= first.index {
            var seen = Set<String>()
            let outputs = failures.reversed().flatMap { $0.outputs(for: cell) }.filter { seen.insert("\($0)").inserted }
            let hasError = outputs.contains { if case .error = $0 { return true } else { return false } }
            if cell.index == first.index {
                merged.cells[cell.index] = CellResult(index: cell.index, status: .failed, outputs: outputs)
            } else if case let .skip(reason) = original[cell.index] {
                merged.cells[cell.index] = CellResult(index: cell.index, status: .skipped, note: reason)
            } else {
                let note = hasError
                    ? "not run: cell '\(first.id)' (line \(first.line)) failed to compile first; the errors below may follow from it"
                    : "not run: an earlier cell failed to compile"
                merged.cells[cell.index] = CellResult(index: cell.index, status: .notRun, outputs: outputs, note: note)
            }
        }
        return merged
    }

    /// Draws the figures and writes the page and notebook, each replacing the previous one only
    /// once complete.
    public func write(_ chapter: Chapter, results: RunResult, name: String) throws -> Report {
        var times = StageTimes()
        return try write(chapter, results: results, name: name, times: &times)
    }

    func write(_ chapter: Chapter, results: RunResult, name: String, times: inout StageTimes) throws -> Report {
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let figuresStart = DispatchTime.now().uptimeNanoseconds
        let renderer = FigureRenderer(directory: outputDirectory)
        var figures: RenderedFigures = [:]
        var figurePaths: [URL] = []
        var figureNumber = 0
        var results = results
        for (position, cell) in results.cells.enumerated() {
            for output in cell.outputs {
                guard case let .display(.figure(figure)) = output else { continue }
                figureNumber += 1
                let figureName = "\(name)-fig\(figureNumber)"
                do {
                    figures[cell.index, default: []].append(try renderer.render(figure, name: figureName))
                    figurePaths.append(outputDirectory.appendingPathComponent("\(figureName).svg"))
                } catch {
                    results.cells[position].outputs.append(.error(CellError(message: "\(error)")))
                }
            }
        }
        times.record("figures (gnuplot)", seconds: Double(DispatchTime.now().uptimeNanoseconds - figuresStart) / 1e9)
        let pageStart = DispatchTime.now().uptimeNanoseconds
        let katex = KaTeXAssets.load()
        try katex?.copyFonts(to: outputDirectory)
        let summary = String(format: "Generated by d2l-run from %@ · seed %llu · compile %.2f s · run %.2f s · %d of %d cells ran",
                             chapter.path, settings.seed, results.compileSeconds, results.runSeconds,
                             results.cells.filter { $0.status == .ok || $0.status == .failedAsExpected }.count, chapter.cells.count)
        let html = HTMLWeaver(title: pageTitle(chapter) ?? name, katex: katex)
            .weave(chapter, results: results, figures: figures, summary: summary)
        let page = outputDirectory.appendingPathComponent("\(name).html")
        let notebook = outputDirectory.appendingPathComponent("\(name).ipynb")
        try AtomicFile.write(Data(html.utf8), to: page)
        try AtomicFile.write(NotebookWriter.notebook(chapter, results: results, figures: figures), to: notebook)
        times.record("page and notebook", seconds: Double(DispatchTime.now().uptimeNanoseconds - pageStart) / 1e9)
        return Report(chapter: chapter, results: results, pagePath: page, notebookPath: notebook,
                      figurePaths: figurePaths, compileSeconds: results.compileSeconds, stages: times)
    }

    /// The text of the chapter's first heading.
    private func pageTitle(_ chapter: Chapter) -> String? {
        for case let .prose(_, markdown, _) in chapter.blocks {
            if let heading = markdown.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) {
                return String(heading.dropFirst(2)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
