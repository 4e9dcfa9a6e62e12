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
/// - A result is stale when its cell, or a main cell before it, changed since it was made.
/// - Exercise results are kept in an ``ExerciseResultStore``, main results in the ``RunCache``
///   that `d2l-run` uses, so each side shows what the other ran.
///
/// It reuses the runner's stages (parse, generate, compile, collect, weave); only the loop
/// that keeps the program alive is its own. Runs are serialised: one cell at a time, as in a
/// notebook kernel.
public final class LiveSession: @unchecked Sendable {
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

    /// The live cell in flight.
    final class LiveRun: @unchecked Sendable {
        let index: Int
        let id: String
        var pid: pid_t?
        var doneMarkers = 0
        var interrupted = false
        let finished = DispatchSemaphore(value: 0)
        init(index: Int, id: String) {
            self.index = index
            self.id = id
        }
    }

    public let path: String
    public let configuration: Configuration
    private let name: String
    private let document: ChapterDocument
    private let eventHub = LiveEventHub()
    private let runQueue = DispatchQueue(label: "d2l.live.runs")
    private let lock = NSLock()

    // Everything below is guarded by `lock`.
    private var notebook: NotebookState
    private var program: LiveProgram?
    /// The chapter the running program was generated from, and its cells' keys.
    private var programChapter: Chapter?
    private var programKeys: [String: String] = [:]
    private var programMainKey = ""
    private var programGeneration = 0
    private var programSettled = DispatchSemaphore(value: 0)
    private var stoppingProgram = false
    /// Whether the snapshot's process ended while it was ready; the next run restores it.
    private var snapshotLost = false
    private var liveRun: LiveRun?
    private var liveCellCounter = 0
    private var lastFigureRender = Date.distantPast
    private var isShutDown = false

    /// Loads the chapter at `path` (throws ``ChapterError`` if it cannot be read) and shows
    /// the results cached by earlier runs; ``start()`` runs it.
    public init(chapterAt path: String, configuration: Configuration) throws {
        self.path = path
        self.configuration = configuration
        document = try ChapterDocument(path: path)
        name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        notebook = NotebookState(chapter: document.initial,
                                 environmentKey: ChapterRunner.environmentKey(toolchain: configuration.toolchain, settings: configuration.settings))
        loadStoredResults()
    }

    private var environmentKey: String { notebook.environmentKey }

    private var cacheDirectory: URL { configuration.outputDirectory.appendingPathComponent(".cache") }
    private var exerciseStore: ExerciseResultStore {
        ExerciseResultStore(file: cacheDirectory.appendingPathComponent("\(name)-exercises.json"))
    }
    /// This session's build folder: its own, so that two sessions of a chapter never share one.
    private var liveDirectory: URL { cacheDirectory.appendingPathComponent("live-\(name)/\(getpid())") }

    /// Cached main results (when every main cell is unchanged) and stored exercise results.
    private func loadStoredResults() {
        let chapter = notebook.chapter
        let plans = CellPlan.plans(for: chapter, exercises: .none)
        let cache = RunCache(file: cacheDirectory.appendingPathComponent("\(name).json"))
        let runKeys = RunCache.keys(for: chapter, plans: plans, environment: environmentKey)
        let keys = CellKeys.keys(for: chapter, environment: environmentKey)
        let dataFolders = configuration.toolchain.dataFolders(forChapterAt: chapter.path)
        if let cached = cache.lookup(keys: runKeys, chapter: chapter, dataFolders: dataFolders) {
            for (cell, result) in zip(chapter.cells, cached.cells) where result.status != .skipped {
                notebook.finish(cell.id, result: result, figures: render(result, id: cell.id), key: keys[cell.id])
            }
        }
        for (id, entry) in exerciseStore.load() where chapter.cells.contains(where: { $0.id == id }) {
            notebook.finish(id, result: entry.result, figures: render(entry.result, id: id), key: entry.key(id: id))
        }
    }

    // MARK: - Starting and replacing the snapshot

    /// Runs the chapter's main cells and keeps the program as the snapshot; watches the file.
    /// Returns at once; the run streams in as events.
    public func start() {
        document.watch { [weak self] chapter, version in self?.fileChanged(chapter, version: version) }
        runQueue.async { self.replaceSnapshot() }
    }

    /// Waits until the snapshot is ready or its program has failed; for tests and start-up
    /// timing. Returns the snapshot's state.
    @discardableResult
    public func waitUntilSettled() -> SnapshotState {
        runQueue.sync {}
        return lock.withLock { notebook.snapshot }
    }

    /// Compiles and starts the program for the working chapter, replacing the running one,
    /// and waits until its main cells are done. Runs on `runQueue`.
    private func replaceSnapshot() {
        let (chapter, generation) = lock.withLock { () -> (Chapter, Int) in
            programGeneration += 1
            return (notebook.workingChapter, programGeneration)
        }
        setSnapshot(.compiling)
        configuration.log("compiling \(chapter.cells.count) cells for the live chapter")
        let plans = CellPlan.plans(for: chapter, exercises: .none)
        let directory = liveDirectory.appendingPathComponent("program-\(generation)")
        let compiled: CompileResult
        do {
            compiled = try Compiler(toolchain: configuration.toolchain)
                .compileLive(ProgramGenerator.generate(chapter, plans: plans, live: true), in: directory)
        } catch {
            return failSnapshot(chapter, message: "\(error)")
        }
        guard let executable = compiled.executable else {
            return failCompile(chapter, plans: plans, compiled: compiled)
        }
        let keys = CellKeys.keys(for: chapter, environment: environmentKey)
        let settled = DispatchSemaphore(value: 0)
        lock.withLock {
            stoppingProgram = true
            program?.stop(children: liveRun?.pid.map { [$0] } ?? [])
            stoppingProgram = false
            programChapter = chapter
            programKeys = keys
            programMainKey = CellKeys.mainKey(for: chapter, environment: environmentKey)
            programSettled = settled
            notebook.queueMainCells(of: chapter, plans: plans)
        }
        setSnapshot(.training)
        emitAllCells()
        do {
            let started = try LiveProgram(
                executable: executable, moduleDirectory: directory.appendingPathComponent("module"),
                settings: configuration.settings, dataFolders: configuration.toolchain.dataFolders(forChapterAt: chapter.path),
                handlers: handlers(generation: generation, chapter: chapter, plans: plans))
            lock.withLock { program = started }
        } catch {
            return failSnapshot(chapter, message: "\(error)")
        }
        settled.wait()
        try? removeOldPrograms(keeping: generation)
    }

    private func handlers(generation: Int, chapter: Chapter, plans: [CellPlan]) -> LiveProgram.Handlers {
        LiveProgram.Handlers(
            onChange: { [weak self] index in self?.cellChanged(index, generation: generation, chapter: chapter) },
            onProgress: { [weak self] line in self?.progress(line, generation: generation, chapter: chapter) },
            onLiveMarker: { [weak self] marker in self?.liveMarker(marker, generation: generation, chapter: chapter, plans: plans) },
            onExit: { [weak self] outcome in self?.programExited(outcome, generation: generation, chapter: chapter, plans: plans) })
    }

    /// The main cells could not all compile: the failing cells show their errors.
    private func failCompile(_ chapter: Chapter, plans: [CellPlan], compiled: CompileResult) {
        let diagnostics = CellDiagnostics(chapter: chapter, diagnostics: compiled.diagnostics)
        let keys = CellKeys.keys(for: chapter, environment: environmentKey)
        lock.withLock {
            for cell in chapter.cells where plans[cell.index].runs {
                let outputs = diagnostics.outputs(for: cell)
                guard outputs.contains(where: { if case .error = $0 { return true } else { return false } }) else {
                    notebook.settle(cell.id)
                    continue
                }
                notebook.finish(cell.id, result: CellResult(index: cell.index, status: .failed, outputs: outputs), key: keys[cell.id])
            }
        }
        if diagnostics.firstFailingCell == nil {
            return failSnapshot(chapter, message: "the chapter program did not compile:\n" + compiled.otherOutput)
        }
        setSnapshot(.failed)
        emitAllCells()
    }

    private func failSnapshot(_ chapter: Chapter, message: String) {
        configuration.log("the live chapter could not start: \(message)")
        lock.withLock {
            for cell in chapter.cells { notebook.settle(cell.id) }
        }
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

    private func cellChanged(_ index: Int, generation: Int, chapter: Chapter) {
        var changed: String?
        lock.withLock {
            guard generation == programGeneration, let program else { return }
            if let run = liveRun, run.index == index {
                // The page sees a live cell's output as it comes.
                let record = program.collector.record(index)
                notebook.showOutputsSoFar(run.id, result: CellResult(index: index, status: .ok, outputs: record?.outputs ?? [],
                                                                     started: record?.began))
                changed = run.id
                return
            }
            guard index < chapter.cells.count, let record = program.collector.record(index) else { return }
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
            changed = cell.id
        }
        if let changed { emitCell(changed) }
    }

    private func progress(_ line: String, generation: Int, chapter: Chapter) {
        configuration.log("  " + line)
        guard let id = runningCellID(generation: generation, chapter: chapter) else { return }
        lock.withLock { notebook.showProgress(id, line: line) }
        emit(.progress(cellID: id, line: line))
    }

    private func runningCellID(generation: Int, chapter: Chapter) -> String? {
        lock.withLock {
            guard generation == programGeneration, let program else { return nil }
            if let run = liveRun { return run.id }
            return program.collector.openCell.flatMap { $0 < chapter.cells.count ? chapter.cells[$0].id : nil }
        }
    }

    private func liveMarker(_ marker: CellMarker, generation: Int, chapter: Chapter, plans: [CellPlan]) {
        switch marker {
        case .snapshotReady:
            settleMainCells(generation: generation, chapter: chapter, plans: plans, outcome: nil)
        case let .liveChild(index, pid):
            lock.withLock { if let run = liveRun, run.index == index { run.pid = pid } }
        case let .liveDone(index, _):
            lock.withLock {
                guard let run = liveRun, run.index == index else { return }
                run.doneMarkers += 1
                if run.doneMarkers == 2 { run.finished.signal() }
            }
        case let .liveFigure(figure):
            showLiveFigure(figure, generation: generation, chapter: chapter)
        default:
            break
        }
    }

    /// Draws the running cell's figure so far, at most a few times a second.
    private func showLiveFigure(_ figure: Figure, generation: Int, chapter: Chapter) {
        guard let id = runningCellID(generation: generation, chapter: chapter) else { return }
        let due = lock.withLock { () -> Bool in
            guard Date().timeIntervalSince(lastFigureRender) > 0.2 else { return false }
            lastFigureRender = Date()
            return true
        }
        guard due, let drawn = try? figureRenderer.render(figure, name: "\(name)-live") else { return }
        lock.withLock { notebook.showLiveFigure(id, svg: drawn.svg) }
        emit(.figure(cellID: id, svg: drawn.svg))
    }

    /// The main cells are done (the snapshot is ready, or the program ended before it was):
    /// their final results, built as `d2l-run` builds them, and cached for it.
    private func settleMainCells(generation: Int, chapter: Chapter, plans: [CellPlan], outcome: ChildProcess.Outcome?) {
        let records: [Int: OutputCollector.CellRecord]
        let openCell: Int?
        let wasStopped: Bool
        let settled: DispatchSemaphore
        let dataFiles: [DataFileRecord]
        do {
            lock.lock()
            defer { lock.unlock() }
            guard generation == programGeneration, let program, notebook.snapshot == .training else { return }
            records = program.collector.records
            dataFiles = program.dataFiles
            openCell = outcome == nil ? nil : program.collector.openCell
            wasStopped = program.interrupted
            settled = programSettled
        }
        let ended = outcome ?? ChildProcess.Outcome(status: 0, signal: nil, timedOut: false)
        var cells = CellResultBuilder(chapter: chapter, plans: plans, records: records, openCell: openCell,
                                      outcome: ended, timeLimit: nil).build()
        if wasStopped, let open = openCell {
            cells[open].outputs.append(.error(CellError(message: "interrupted", file: chapter.path, line: chapter.cells[open].line)))
        }
        let ready = outcome == nil
        if ready {
            let runKeys = RunCache.keys(for: chapter, plans: plans, environment: environmentKey)
            var result = RunResult(cells: cells)
            result.dataFiles = dataFiles
            try? RunCache(file: cacheDirectory.appendingPathComponent("\(name).json"))
                .store(result, keys: runKeys, chapter: chapter)
        }
        let figures = zip(chapter.cells, cells).map { render($1, id: $0.id) }
        lock.withLock {
            for (cell, result) in zip(chapter.cells, cells) where plans[cell.index].runs {
                notebook.finish(cell.id, result: result, figures: figures[cell.index], key: programKeys[cell.id])
            }
        }
        setSnapshot(ready ? .ready : (wasStopped ? .stopped : .failed))
        emitAllCells()
        settled.signal()
    }

    private func programExited(_ outcome: ChildProcess.Outcome, generation: Int, chapter: Chapter, plans: [CellPlan]) {
        settleMainCells(generation: generation, chapter: chapter, plans: plans, outcome: outcome)
        let lost = lock.withLock { () -> Bool in
            guard generation == programGeneration else { return false }
            liveRun?.finished.signal()
            guard notebook.snapshot == .ready && !isShutDown && !stoppingProgram else { return false }
            notebook.snapshot = .failed
            snapshotLost = true
            return true
        }
        guard lost else { return }
        // A cell killed the snapshot's process (or something else did): the session recovers by
        // itself, running the main cells again, instead of refusing every later exercise.
        configuration.log("the chapter program holding the snapshot ended (\(outcome)); running the main cells again")
        emitAllCells()
        runQueue.async { [weak self] in self?.restoreLostSnapshot() }
    }

    /// Runs the main cells again if the snapshot's process ended; on the run queue.
    private func restoreLostSnapshot() {
        let lost = lock.withLock { () -> Bool in
            defer { snapshotLost = false }
            return snapshotLost && !isShutDown
        }
        if lost { replaceSnapshot() }
    }

    // MARK: - Running a cell

    /// Runs cell `id` with `source` (not saved) and answers when it has finished.
    public func run(cellID id: String, source: String) async throws -> LiveRunAnswer {
        let cell = try lock.withLock { try notebook.queueRun(of: id, source: source) }
        emitCell(id)
        let start = Date()
        // This run's own result, taken on the run queue before the next run there can start:
        // runs of the same cell queued meanwhile change the cell's state, not this answer.
        return await withCheckedContinuation { (continuation: CheckedContinuation<LiveRunAnswer, Never>) in
            runQueue.async {
                if cell.tags.exercise {
                    self.runExercise(cell, source: source)
                } else {
                    self.replaceSnapshot()
                }
                continuation.resume(returning: self.lock.withLock { self.notebook.answer(for: id, since: start) })
            }
        }
    }

    /// Compiles `source` alone and runs it in a fork of the snapshot. Runs on `runQueue`.
    private func runExercise(_ saved: Cell, source: String) {
        var cell = saved
        cell.source = source
        restoreLostSnapshot()
        let (program, programChapter, mainKey, counter) = lock.withLock { () -> (LiveProgram?, Chapter?, String, Int) in
            liveCellCounter += 1
            return (notebook.snapshot == .ready ? self.program : nil, self.programChapter, programMainKey, liveCellCounter)
        }
        guard let program, let programChapter else {
            let message = "the chapter's main cells have not run to the end (the snapshot is \(lock.withLock { notebook.snapshot.rawValue })): fix or run them first"
            return finishExercise(cell, result: CellResult(index: cell.index, status: .failed, outputs: [
                .error(CellError(message: message, file: path, line: cell.line))]), mainKey: nil)
        }
        // Cells the live program runs are numbered after the chapter's own.
        let index = programChapter.cells.count + counter
        cell.index = index
        let alone = Chapter(path: path, blocks: [.cell(cell)])
        let mainCells = programChapter.cells.filter { !$0.tags.isIsolated && !$0.tags.noRun }
        let text = LiveCellProgram.generate(source, cell: cell, chapter: programChapter, mainCells: mainCells)
        lock.withLock { notebook.markRunning(cell.id) }
        emitCell(cell.id)
        let started = Date()
        let compiled: CompileResult
        do {
            compiled = try Compiler(toolchain: configuration.toolchain)
                .compileLiveCell(text, named: "cell-\(counter)", in: liveDirectory.appendingPathComponent("cells"),
                                 moduleDirectory: program.moduleDirectory)
        } catch {
            return finishExercise(cell, result: CellResult(index: index, status: .failed, outputs: [
                .error(CellError(message: "\(error)", file: path, line: cell.line))]), mainKey: mainKey)
        }
        guard let library = compiled.executable else {
            var outputs = CellDiagnostics(chapter: alone, diagnostics: compiled.diagnostics).outputs(for: cell)
            if !outputs.contains(where: { if case .error = $0 { return true } else { return false } }) {
                outputs.append(.error(CellError(message: "the cell did not compile", file: path, line: cell.line,
                                                details: (compiled.diagnostics.map(\.rendered) + [compiled.otherOutput]).joined(separator: "\n"))))
            }
            return finishExercise(cell, result: CellResult(index: index, status: .failed, outputs: outputs,
                                                           seconds: compiled.seconds), mainKey: mainKey)
        }
        let run = LiveRun(index: index, id: cell.id)
        program.collector.reset(index)
        lock.withLock { liveRun = run }
        if program.run(cell: index, library: library) {
            if run.finished.wait(timeout: .now() + configuration.settings.cellTimeLimit) == .timedOut {
                lock.withLock { run.interrupted = true }
                interruptLiveRun(run)
                run.finished.wait()
            }
        }
        lock.withLock { liveRun = nil }
        let record = program.collector.record(index) ?? OutputCollector.CellRecord()
        var result = CellResultBuilder(chapter: alone, plans: [.runIsolated], records: [index: record], openCell: nil,
                                       outcome: ChildProcess.Outcome(status: 0, signal: nil, timedOut: false),
                                       timeLimit: nil).build()[0]
        if record.began == nil || record.ended == nil {
            result = CellResult(index: index, status: .failed, outputs: record.outputs + [
                .error(CellError(message: "the chapter program ended while this cell ran; its main cells run again, so the next run finds the snapshot as it was",
                                 file: path, line: cell.line))])
        }
        if run.interrupted {
            result.status = .failed
            result.outputs.removeAll { if case .error = $0 { return true } else { return false } }
            result.outputs.append(.error(CellError(message: "interrupted", file: path, line: cell.line)))
        }
        result.seconds = result.seconds ?? Date().timeIntervalSince(started)
        result.seconds! += compiled.seconds
        finishExercise(cell, result: result, mainKey: mainKey)
    }

    private func finishExercise(_ cell: Cell, result: CellResult, mainKey: String?) {
        var result = result
        result.index = lock.withLock { (try? notebook.cell(id: cell.id))?.index ?? cell.index }
        let ranAt = Date().timeIntervalSince1970
        result.ended = result.ended ?? ranAt
        let figures = render(result, id: cell.id)
        lock.withLock {
            notebook.finish(cell.id, result: result, figures: figures,
                            key: mainKey.map { CellKeys.exerciseKey(mainKey: $0, id: cell.id, source: cell.source) })
        }
        if let mainKey {
            try? exerciseStore.store(ExerciseResultStore.Entry(source: cell.source, mainKey: mainKey, ranAt: ranAt,
                                                               result: result), id: cell.id)
        }
        emitCell(cell.id)
    }

    /// Stops cell `id` if it is running, with every process it started. Interrupting a main
    /// cell ends the chapter program: the snapshot is then gone until a main cell runs again.
    public func interrupt(cellID id: String) -> Bool {
        let (run, mainProgram): (LiveRun?, LiveProgram?) = lock.withLock {
            if let run = liveRun, run.id == id { run.interrupted = true; return (run, nil) }
            guard notebook.slots[id]?.activity == .running, notebook.snapshot == .training else { return (nil, nil) }
            self.program?.interrupted = true
            return (nil, self.program)
        }
        if let run { interruptLiveRun(run); return true }
        if let mainProgram { mainProgram.stop(); return true }
        return false
    }

    private func interruptLiveRun(_ run: LiveRun) {
        let pid = lock.withLock { run.pid }
        if let pid { kill(-pid, SIGKILL) }
    }

    // MARK: - Saving and the file on disk

    /// Saves `source` as cell `id`'s body, if the file is still at `version`.
    public func save(cellID id: String, source: String, version expected: String) throws -> String {
        _ = try lock.withLock { try notebook.cell(id: id) }
        // Outside the session's lock: the document's watcher reports to a handler that takes it.
        let saved = try document.save(cellID: id, source: source, expected: expected)
        lock.withLock { notebook.reload(saved.chapter, savedID: id) }
        emitCell(id)
        return saved.version
    }

    /// Another editor changed the file: the session takes the new content (the page offers to
    /// reload; its unsaved edits stay in the browser).
    private func fileChanged(_ chapter: Chapter?, version: String) {
        if let chapter { lock.withLock { notebook.reload(chapter, savedID: nil) } }
        emit(.fileChanged(version: version))
        if chapter != nil { emitAllCells() }
    }

    // MARK: - What the page shows

    public func chapterState() -> LiveChapterState {
        let version = document.version
        return lock.withLock { notebook.chapterState(version: version, path: path) }
    }

    /// Cell `id`'s state now.
    public func cellState(id: String) -> LiveCellState {
        lock.withLock { notebook.cellState(id: id) }
    }

    /// The live page's content (the server weaves it).
    public func page() -> LivePage {
        lock.withLock { notebook.page(title: name, summary: "d2l-run serve \(path) · seed \(configuration.settings.seed)") }
    }

    // MARK: - Events

    /// Events from now on, until the consumer stops or the session shuts down.
    public func events() -> AsyncStream<LiveEvent> { eventHub.subscribe() }

    private func emit(_ event: LiveEvent) { eventHub.send(event) }

    private func emitCell(_ id: String) { emit(.cell(cellState(id: id))) }

    private func emitAllCells() {
        for cell in chapterState().cells { emit(.cell(cell)) }
    }

    private func setSnapshot(_ state: SnapshotState) {
        lock.withLock { notebook.snapshot = state }
        emit(.snapshot(state))
    }

    // MARK: - Figures and shutting down

    private var figureRenderer: FigureRenderer { FigureRenderer(directory: liveDirectory.appendingPathComponent("figures")) }

    /// Draws a result's figures (gnuplot); a figure that cannot be drawn is left out.
    private func render(_ result: CellResult, id: String) -> [FigureRenderer.Rendered] {
        var drawn: [FigureRenderer.Rendered] = []
        for case let .display(.figure(figure)) in result.outputs {
            if let figure = try? figureRenderer.render(figure, name: "\(name)-\(id)-fig\(drawn.count + 1)") { drawn.append(figure) }
        }
        return drawn
    }

    /// Ends the snapshot, the running cell and every process they started.
    public func shutdown() {
        let (program, child) = lock.withLock {
            isShutDown = true
            notebook.snapshot = .stopped
            return (self.program, liveRun?.pid)
        }
        document.close()
        program?.stop(children: child.map { [$0] } ?? [])
        ProcessReaper.endStrays()
        try? FileManager.default.removeItem(at: liveDirectory)
        eventHub.finish()
    }
}
