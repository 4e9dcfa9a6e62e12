import CellProtocol
import Foundation

/// The engine of `d2l-run serve`: a chapter whose program stays alive after its main cells,
/// holding the trained state as a snapshot, so that an edited exercise is compiled alone and
/// run in a forked copy of that state in well under a second.
///
/// - Running an exercise (any cell tagged `.exercise`) never changes the snapshot: the cell
///   runs in a child process that ends with it; a crash or an interrupt costs nothing.
/// - Running a main cell re-runs the chapter program from the start with the edited sources
///   and replaces the snapshot once the new one is ready.
/// - A snapshot whose process ends while it is ready (a cell killed it) is restored by itself.
/// - Exercise results are kept in an ``ExerciseResultStore``, main results in the ``RunCache``
///   that `d2l-run` uses, so each side shows what the other ran.
///
/// The processes are a ``CellHost``, the engine the kernel runs on too: the snapshot is its
/// holder, and an exercise runs as a cell whose state is discarded. What the cells show is a
/// ``NotebookState`` (a plain value), the file a ``ChapterDocument``, what the page hears a
/// ``LiveEventHub``; the server renders the HTML. The program's reports arrive on its reader
/// threads and are handled here one at a time, in the order they came. Runs are serialised:
/// one cell at a time, as in a notebook kernel.
public actor LiveSession {
    public struct Configuration: Sendable {
        public var toolchain: Toolchain
        public var settings: RunSettings
        /// Where the page, caches and the live program's build go (`Output/`).
        public var outputDirectory: URL
        /// The runner's voice (cell started, training lines), for the terminal.
        public var log: @Sendable (String) -> Void

        public init(toolchain: Toolchain, settings: RunSettings = RunSettings(), outputDirectory: URL,
                    log: @escaping @Sendable (String) -> Void = { _ in }) {
            self.toolchain = toolchain
            self.settings = settings
            self.outputDirectory = outputDirectory
            self.log = log
        }
    }

    /// The exercise cell in flight.
    private struct LiveRun {
        let index: Int
        let id: String
    }

    /// What the running program reported, tagged with the program it came from.
    private struct Report: Sendable {
        enum Kind: Sendable {
            case changed(Int)
            case progress(String)
            case marker(CellMarker)
            case exited(ChildProcess.Outcome)
        }
        let generation: Int
        let kind: Kind
    }

    public nonisolated let path: String
    public nonisolated let configuration: Configuration
    private nonisolated let name: String
    private nonisolated let document: ChapterDocument
    private nonisolated let eventHub = LiveEventHub()
    private nonisolated let reports: AsyncStream<Report>.Continuation
    /// The run cache `d2l-run` shares (main cells) and the stored exercise results.
    private nonisolated let runCache: RunCache
    private nonisolated let exerciseStore: ExerciseResultStore
    /// This session's build folder: its own, so that two sessions of a chapter never share one.
    private nonisolated let liveDirectory: URL
    private nonisolated let figureRenderer: FigureRenderer

    private var notebook: NotebookState
    private var host: CellHost?
    /// The chapter the running program was generated from, its plans and its cells' keys.
    private var programChapter: Chapter?
    private var programPlans: [CellPlan] = []
    private var programKeys: [String: String] = [:]
    private var programMainKey = ""
    /// What the program's main cells declare, which every exercise's file refers to.
    private var programMainDeclarations = LiveCellProgram.MainDeclarations([])
    private var programGeneration = 0
    /// Resumed when the running program's main cells are done (ready, failed or ended).
    private var programSettled: CheckedContinuation<Void, Never>?
    private var stoppingProgram = false
    /// Whether the user stopped the running program's main cells.
    private var mainCellsInterrupted = false
    /// Whether the snapshot's process ended while it was ready; the next run restores it.
    private var snapshotLost = false
    private var liveRun: LiveRun?
    private var liveCellCounter = 0
    /// When the running cell's live figure may be drawn next.
    private var liveFigures: (cellID: String?, throttle: LiveFigureThrottle) = (nil, LiveFigureThrottle())
    /// The last run asked for: each run waits for the one before it.
    private var lastRun: Task<Void, Never>?
    private var isShutDown = false

    /// Loads the chapter at `path` (throws ``ChapterError`` if it cannot be read) and shows
    /// the results cached by earlier runs; ``start()`` runs it.
    public init(chapterAt path: String, configuration: Configuration) throws {
        self.path = path
        self.configuration = configuration
        document = try ChapterDocument(path: path)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        self.name = name
        let cacheDirectory = configuration.outputDirectory.appendingPathComponent(".cache")
        runCache = RunCache(file: cacheDirectory.appendingPathComponent("\(name).json"))
        exerciseStore = ExerciseResultStore(file: cacheDirectory.appendingPathComponent("\(name)-exercises.json"))
        liveDirectory = cacheDirectory.appendingPathComponent("live-\(name)/\(getpid())")
        let figureRenderer = FigureRenderer(directory: liveDirectory.appendingPathComponent("figures"))
        self.figureRenderer = figureRenderer
        notebook = Self.storedResults(
            NotebookState(chapter: document.initial,
                          environmentKey: ChapterRunner.environmentKey(toolchain: configuration.toolchain, settings: configuration.settings)),
            runCache: runCache, exerciseStore: exerciseStore,
            dataFolders: configuration.toolchain.dataFolders(forChapterAt: document.initial.path),
            render: { Self.render($0, id: $1, with: figureRenderer, chapterName: name) })
        let (stream, continuation) = AsyncStream.makeStream(of: Report.self)
        reports = continuation
        Task { [weak self] in
            for await report in stream {
                guard let self else { return }
                await self.handle(report)
            }
        }
    }

    private var environmentKey: String { notebook.environmentKey }

    /// `state` with the cached main results (when every main cell is unchanged) and the stored
    /// exercise results.
    private static func storedResults(_ state: NotebookState, runCache: RunCache, exerciseStore: ExerciseResultStore,
                                      dataFolders: [String],
                                      render: (CellResult, String) -> [FigureRenderer.Rendered]) -> NotebookState {
        var state = state
        let chapter = state.chapter
        let plans = CellPlan.plans(for: chapter, exercises: .none)
        let runKeys = RunCache.keys(for: chapter, plans: plans, environment: state.environmentKey)
        let keys = CellKeys.keys(for: chapter, environment: state.environmentKey)
        if let cached = runCache.lookup(keys: runKeys, chapter: chapter, dataFolders: dataFolders) {
            for (cell, result) in zip(chapter.cells, cached.cells) where result.status != .skipped {
                state.finish(cell.id, result: result, figures: render(result, cell.id), key: keys[cell.id])
            }
        }
        for (id, entry) in exerciseStore.load() where chapter.cells.contains(where: { $0.id == id }) {
            state.finish(id, result: entry.result, figures: render(entry.result, id), key: entry.key(id: id))
        }
        return state
    }

    // MARK: - Starting and replacing the snapshot

    /// Runs the chapter's main cells and keeps the program as the snapshot; watches the file.
    /// Returns at once; the run streams in as events.
    public func start() {
        document.watch { [weak self] chapter, version in
            Task { await self?.fileChanged(chapter, version: version) }
        }
        enqueueRun { await $0.replaceSnapshot() }
    }

    /// Waits until the runs asked for so far have ended (the snapshot is ready or its program
    /// has failed); for tests and start-up timing. Returns the snapshot's state.
    @discardableResult
    public func waitUntilSettled() async -> SnapshotState {
        await lastRun?.value
        return notebook.snapshot
    }

    /// Runs `work` after every run asked for before it.
    @discardableResult
    private func enqueueRun<T: Sendable>(_ work: @escaping @Sendable (isolated LiveSession) async -> T) -> Task<T, Never> {
        let previous = lastRun
        let task = Task { () async -> T in
            await previous?.value
            return await work(self)
        }
        lastRun = Task { _ = await task.value }
        return task
    }

    /// Compiles and starts the program for the working chapter, replacing the running one,
    /// and waits until its main cells are done.
    private func replaceSnapshot() async {
        programGeneration += 1
        let (chapter, generation) = (notebook.workingChapter, programGeneration)
        setSnapshot(.compiling)
        configuration.log("compiling \(chapter.cells.count) cells for the live chapter")
        let plans = CellPlan.plans(for: chapter, exercises: .none)
        let directory = liveDirectory.appendingPathComponent("program-\(generation)")
        let compiler = Compiler(toolchain: configuration.toolchain)
        let compiled: CompileResult
        do {
            compiled = try await offThePool {
                try compiler.compileLive(ProgramGenerator.generate(chapter, plans: plans, live: true), in: directory)
            }
        } catch {
            return failSnapshot(chapter, message: "\(error)")
        }
        guard let executable = compiled.executable else {
            return failCompile(chapter, plans: plans, compiled: compiled)
        }
        stoppingProgram = true
        await host?.stop()
        stoppingProgram = false
        mainCellsInterrupted = false
        programChapter = chapter
        programPlans = plans
        programKeys = CellKeys.keys(for: chapter, environment: environmentKey)
        programMainKey = CellKeys.mainKey(for: chapter, environment: environmentKey)
        programMainDeclarations = LiveCellProgram.MainDeclarations(chapter.cells.filter {
            if case .run = plans[$0.index] { return true } else { return false }
        })
        notebook.queueMainCells(of: chapter, plans: plans)
        setSnapshot(.training)
        emitAllCells()
        let reports = self.reports
        let handlers = LiveProgram.Handlers(
            onChange: { reports.yield(Report(generation: generation, kind: .changed($0))) },
            onProgress: { reports.yield(Report(generation: generation, kind: .progress($0))) },
            onLiveMarker: { reports.yield(Report(generation: generation, kind: .marker($0))) },
            onExit: { reports.yield(Report(generation: generation, kind: .exited($0))) })
        let settings = configuration.settings, dataFolders = configuration.toolchain.dataFolders(forChapterAt: chapter.path)
        do {
            host = try await CellHost.start(executable: executable, moduleDirectory: directory.appendingPathComponent("module"),
                                            settings: settings, dataFolders: dataFolders, observer: handlers)
        } catch {
            return failSnapshot(chapter, message: "\(error)")
        }
        await withCheckedContinuation { programSettled = $0 }
        try? removeOldPrograms(keeping: generation)
    }

    /// The main cells could not all compile: the failing cells show their errors.
    private func failCompile(_ chapter: Chapter, plans: [CellPlan], compiled: CompileResult) {
        let diagnostics = CellDiagnostics(chapter: chapter, diagnostics: compiled.diagnostics)
        let keys = CellKeys.keys(for: chapter, environment: environmentKey)
        for cell in chapter.cells where plans[cell.index].runs {
            let outputs = diagnostics.outputs(for: cell)
            guard outputs.contains(where: { if case .error = $0 { return true } else { return false } }) else {
                notebook.settle(cell.id)
                continue
            }
            notebook.finish(cell.id, result: CellResult(index: cell.index, status: .failed, outputs: outputs), key: keys[cell.id])
        }
        if diagnostics.firstFailingCell == nil {
            return failSnapshot(chapter, message: "the chapter program did not compile:\n" + compiled.otherOutput)
        }
        setSnapshot(.failed)
        emitAllCells()
    }

    private func failSnapshot(_ chapter: Chapter, message: String) {
        configuration.log("the live chapter could not start: \(message)")
        for cell in chapter.cells { notebook.settle(cell.id) }
        setSnapshot(.failed)
        emitAllCells()
    }

    private func removeOldPrograms(keeping generation: Int) throws {
        for entry in try FileManager.default.contentsOfDirectory(atPath: liveDirectory.path)
        where entry.hasPrefix("program-") && entry != "program-\(generation)" {
            try? FileManager.default.removeItem(at: liveDirectory.appendingPathComponent(entry))
        }
    }

    // MARK: - What the program reports

    private func handle(_ report: Report) async {
        // A replaced program's last words change nothing.
        guard report.generation == programGeneration, let chapter = programChapter else { return }
        switch report.kind {
        case let .changed(index): cellChanged(index, chapter: chapter)
        case let .progress(line): progress(line, chapter: chapter)
        case let .marker(marker): await liveMarker(marker, chapter: chapter)
        case let .exited(outcome): programExited(outcome, chapter: chapter)
        }
    }

    private func cellChanged(_ index: Int, chapter: Chapter) {
        guard let host else { return }
        if let run = liveRun, run.index == index {
            // The page sees a live cell's output as it comes.
            let record = host.collector.record(index)
            notebook.showOutputsSoFar(run.id, result: CellResult(index: index, status: .ok, outputs: record?.outputs ?? [],
                                                                 started: record?.began))
            return emitCell(run.id)
        }
        guard index < chapter.cells.count, let record = host.collector.record(index) else { return }
        let cell = chapter.cells[index]
        if record.ended == nil {
            let result = CellResult(index: index, status: .ok, outputs: record.outputs, started: record.began)
            if notebook.showRunning(cell.id, result: result, startedAt: record.began) {
                configuration.log("cell \(cell.id) (line \(cell.line))")
            }
        } else {
            notebook.finish(cell.id, result: CellResult(index: index, status: record.isolatedExit == nil ? .ok : .failed,
                                                        outputs: record.outputs, seconds: record.seconds, started: record.began,
                                                        ended: record.ended),
                            key: programKeys[cell.id])
        }
        emitCell(cell.id)
    }

    private func progress(_ line: String, chapter: Chapter) {
        configuration.log("  " + line)
        guard let id = runningCellID(chapter: chapter) else { return }
        notebook.showProgress(id, line: line)
        emit(.progress(cellID: id, line: line))
    }

    private func runningCellID(chapter: Chapter) -> String? {
        guard let host else { return nil }
        if let run = liveRun { return run.id }
        return host.collector.openCell.flatMap { $0 < chapter.cells.count ? chapter.cells[$0].id : nil }
    }

    private func liveMarker(_ marker: CellMarker, chapter: Chapter) async {
        switch marker {
        case .snapshotReady:
            settleMainCells(chapter: chapter, outcome: nil)
        case let .liveFigure(figure):
            await showLiveFigure(figure, chapter: chapter)
        default:
            break
        }
    }

    /// Draws the running cell's figure so far, as ``LiveFigureThrottle`` lets it through, off
    /// the cooperative pool (gnuplot takes about 27 ms); a drawing that finishes after its cell
    /// stopped running is dropped.
    private func showLiveFigure(_ figure: Figure, chapter: Chapter) async {
        guard let id = runningCellID(chapter: chapter) else { return }
        if liveFigures.cellID != id { liveFigures = (id, LiveFigureThrottle()) }
        guard let figure = liveFigures.throttle.admit(figure) else { return }
        let renderer = figureRenderer, name = "\(name)-live"
        guard let drawn = try? await offThePool({ try renderer.render(figure, name: name) }),
              runningCellID(chapter: chapter) == id else { return }
        notebook.showLiveFigure(id, svg: drawn.svg)
        emit(.figure(cellID: id, svg: drawn.svg))
    }

    /// The main cells are done (the snapshot is ready, or the program ended before it was):
    /// their final results, built as `d2l-run` builds them, and cached for it.
    private func settleMainCells(chapter: Chapter, outcome: ChildProcess.Outcome?) {
        guard let host, notebook.snapshot == .training else { return }
        let plans = programPlans
        let openCell = outcome == nil ? nil : host.collector.openCell
        let wasStopped = mainCellsInterrupted
        let ended = outcome ?? ChildProcess.Outcome(status: 0, signal: nil, timedOut: false)
        var cells = CellResultBuilder(chapter: chapter, plans: plans, records: host.collector.records, openCell: openCell,
                                      outcome: ended, timeLimit: nil).build()
        if wasStopped, let open = openCell {
            cells[open].outputs.append(.error(CellError(message: "interrupted", file: chapter.path, line: chapter.cells[open].line)))
        }
        let ready = outcome == nil
        if ready {
            let runKeys = RunCache.keys(for: chapter, plans: plans, environment: environmentKey)
            var result = RunResult(cells: cells)
            result.dataFiles = host.dataFiles
            try? runCache.store(result, keys: runKeys, chapter: chapter)
        }
        for (cell, result) in zip(chapter.cells, cells) where plans[cell.index].runs {
            notebook.finish(cell.id, result: result, figures: render(result, id: cell.id), key: programKeys[cell.id])
        }
        setSnapshot(ready ? .ready : (wasStopped ? .stopped : .failed))
        emitAllCells()
        programSettled?.resume()
        programSettled = nil
    }

    private func programExited(_ outcome: ChildProcess.Outcome, chapter: Chapter) {
        settleMainCells(chapter: chapter, outcome: outcome)
        guard notebook.snapshot == .ready && !isShutDown && !stoppingProgram else { return }
        notebook.snapshot = .failed
        snapshotLost = true
        // A cell killed the snapshot's process (or something else did): the session recovers by
        // itself, running the main cells again, instead of refusing every later exercise.
        configuration.log("the chapter program holding the snapshot ended (\(outcome)); running the main cells again")
        emitAllCells()
        enqueueRun { await $0.restoreLostSnapshot() }
    }

    /// Runs the main cells again if the snapshot's process ended.
    private func restoreLostSnapshot() async {
        defer { snapshotLost = false }
        if snapshotLost && !isShutDown { await replaceSnapshot() }
    }

    // MARK: - Running a cell

    /// Runs cell `id` with `source` (not saved) and answers when it has finished.
    public func run(cellID id: String, source: String) async throws -> LiveRunAnswer {
        let cell = try notebook.queueRun(of: id, source: source)
        emitCell(id)
        let start = Date()
        // This run's own result, taken before the next run can start: runs of the same cell
        // queued meanwhile change the cell's state, not this answer.
        return await enqueueRun { session in
            if cell.tags.exercise {
                await session.runExercise(cell, source: source)
            } else {
                await session.replaceSnapshot()
            }
            return session.notebook.answer(for: id, since: start)
        }.value
    }

    /// Compiles `source` alone and runs it in a fork of the snapshot.
    private func runExercise(_ saved: Cell, source: String) async {
        var cell = saved
        cell.source = source
        await restoreLostSnapshot()
        liveCellCounter += 1
        let counter = liveCellCounter, mainKey = programMainKey
        guard notebook.snapshot == .ready, let host, let programChapter else {
            let message = "the chapter's main cells have not run to the end (the snapshot is \(notebook.snapshot.rawValue)): fix or run them first"
            return finishExercise(cell, result: CellResult(index: cell.index, status: .failed, outputs: [
                .error(CellError(message: message, file: path, line: cell.line))]), mainKey: nil)
        }
        // Cells the live program runs are numbered after the chapter's own.
        let index = programChapter.cells.count + counter
        cell.index = index
        let alone = Chapter(path: path, blocks: [.cell(cell)])
        let text = LiveCellProgram.generate(source, cell: cell, chapter: programChapter, main: programMainDeclarations)
        notebook.markRunning(cell.id)
        emitCell(cell.id)
        let started = Date()
        let compiler = Compiler(toolchain: configuration.toolchain)
        let cellDirectory = liveDirectory.appendingPathComponent("cells"), moduleDirectory = host.moduleDirectory
        let compiled: CompileResult
        do {
            compiled = try await offThePool {
                try compiler.compileLiveCell(text, named: "cell-\(counter)", in: cellDirectory, moduleDirectory: moduleDirectory)
            }
        } catch {
            return finishExercise(cell, result: CellResult(index: index, status: .failed, outputs: [
                .error(CellError(message: "\(error)", file: path, line: cell.line))]), mainKey: mainKey)
        }
        guard let library = compiled.executable else {
            let outputs = CellDiagnostics(chapter: alone, diagnostics: compiled.diagnostics).failedCompileOutputs(for: cell, compiled: compiled)
            return finishExercise(cell, result: CellResult(index: index, status: .failed, outputs: outputs,
                                                           seconds: compiled.seconds), mainKey: mainKey)
        }
        liveRun = LiveRun(index: index, id: cell.id)
        let timeLimit = configuration.settings.cellTimeLimit
        let watchdog = Task {
            try await Task.sleep(nanoseconds: UInt64(timeLimit * 1e9))
            host.interrupt()
        }
        let run = await host.run(cell: index, library: library)
        watchdog.cancel()
        liveRun = nil
        var result = run.result(cell: cell, chapter: alone)
        if case .programEnded = run.end, let last = result.outputs.indices.last, case var .error(error) = result.outputs[last] {
            error.message += "; its main cells run again, so the next run finds the snapshot as it was"
            result.outputs[last] = .error(error)
        }
        result.seconds = result.seconds ?? Date().timeIntervalSince(started)
        result.seconds! += compiled.seconds
        finishExercise(cell, result: result, mainKey: mainKey)
    }

    private func finishExercise(_ cell: Cell, result: CellResult, mainKey: String?) {
        var result = result
        result.index = (try? notebook.cell(id: cell.id))?.index ?? cell.index
        let ranAt = Date().timeIntervalSince1970
        result.ended = result.ended ?? ranAt
        notebook.finish(cell.id, result: result, figures: render(result, id: cell.id),
                        key: mainKey.map { CellKeys.exerciseKey(mainKey: $0, id: cell.id, source: cell.source) })
        if let mainKey {
            try? exerciseStore.store(ExerciseResultStore.Entry(source: cell.source, mainKey: mainKey, ranAt: ranAt, result: result), id: cell.id)
        }
        emitCell(cell.id)
    }

    /// Stops cell `id` if it is running, with every process it started. Interrupting a main
    /// cell ends the chapter program: the snapshot is then gone until a main cell runs again.
    public func interrupt(cellID id: String) -> Bool {
        if let run = liveRun, run.id == id, let host {
            return host.interrupt()
        }
        guard notebook.slots[id]?.activity == .running, notebook.snapshot == .training, let host else { return false }
        mainCellsInterrupted = true
        host.terminate()
        return true
    }

    // MARK: - Saving and the file on disk

    /// Saves `source` as cell `id`'s body, if the file is still at `version`.
    public func save(cellID id: String, source: String, version expected: String) throws -> String {
        _ = try notebook.cell(id: id)
        let saved = try document.save(cellID: id, source: source, expected: expected)
        notebook.reload(saved.chapter, savedID: id)
        emitCell(id)
        return saved.version
    }

    /// Another editor changed the file: the session takes the new content (the page offers to
    /// reload; its unsaved edits stay in the browser).
    private func fileChanged(_ chapter: Chapter?, version: String) {
        if let chapter { notebook.reload(chapter, savedID: nil) }
        emit(.fileChanged(version: version))
        if chapter != nil { emitAllCells() }
    }

    // MARK: - What the page shows

    public func chapterState() -> LiveChapterState {
        notebook.chapterState(version: document.version, path: path)
    }

    /// Cell `id`'s state now.
    public func cellState(id: String) -> LiveCellState {
        notebook.cellState(id: id)
    }

    /// The live page's content (the server weaves it).
    public func page() -> LivePage {
        notebook.page(title: name, summary: "d2l-run serve \(path) · seed \(configuration.settings.seed)")
    }

    // MARK: - Events

    /// Events from now on, until the consumer stops or the session shuts down.
    public nonisolated func events() -> AsyncStream<LiveEvent> { eventHub.subscribe() }

    private func emit(_ event: LiveEvent) { eventHub.send(event) }

    private func emitCell(_ id: String) { emit(.cell(cellState(id: id))) }

    private func emitAllCells() {
        for cell in chapterState().cells { emit(.cell(cell)) }
    }

    private func setSnapshot(_ state: SnapshotState) {
        notebook.snapshot = state
        emit(.snapshot(state))
    }

    // MARK: - Figures and shutting down

    private func render(_ result: CellResult, id: String) -> [FigureRenderer.Rendered] {
        Self.render(result, id: id, with: figureRenderer, chapterName: name)
    }

    /// Draws a result's figures (gnuplot); a figure that cannot be drawn is left out.
    private static func render(_ result: CellResult, id: String, with renderer: FigureRenderer,
                               chapterName name: String) -> [FigureRenderer.Rendered] {
        var drawn: [FigureRenderer.Rendered] = []
        for case let .display(.figure(figure)) in result.outputs {
            if let figure = try? renderer.render(figure, name: "\(name)-\(id)-fig\(drawn.count + 1)") { drawn.append(figure) }
        }
        return drawn
    }

    /// Ends the snapshot, the running cell and every process they started.
    public func shutdown() {
        isShutDown = true
        notebook.snapshot = .stopped
        document.close()
        stoppingProgram = true
        // The snapshot is the only holder (exercises discard their state): ending it and the
        // running cell ends everything.
        host?.terminate()
        ProcessReaper.endStrays()
        try? FileManager.default.removeItem(at: liveDirectory)
        programSettled?.resume()
        programSettled = nil
        reports.finish()
        eventHub.finish()
    }
}
