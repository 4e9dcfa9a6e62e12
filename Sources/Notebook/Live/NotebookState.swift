import CellProtocol
import Foundation

/// The live notebook's cells as the engine knows them, without any process: each cell's last
/// result and what it was made from, the sources run but not saved, whether a cell is queued or
/// running, and so whether its result is stale.
///
/// A plain value: ``LiveSession`` keeps one and changes it as its program reports; a test
/// builds one by hand.
public struct NotebookState: Sendable {
    /// What is known of one cell's last result.
    public struct Slot: Equatable, Sendable {
        public var result: CellResult?
        public var figures: [FigureRenderer.Rendered] = []
        /// The key (``CellKeys``) of what the result was made from.
        public var key: String?
        /// Queued or running; nil when the cell is at rest.
        public var activity: LiveCellState.Status?
        /// While it is queued or runs: its last progress line and its figure so far, so that a
        /// page loaded mid-run shows them at once rather than at the next event.
        public var progress: String?
        public var liveFigure: String?
        /// Unix time the current run started.
        public var runStarted: Double?

        public init(result: CellResult? = nil, figures: [FigureRenderer.Rendered] = [], key: String? = nil) {
            self.result = result
            self.figures = figures
            self.key = key
        }

        /// Queues the cell to run again, forgetting the last run's progress and figure.
        mutating func queue() {
            activity = .queued
            progress = nil
            liveFigure = nil
            runStarted = nil
        }

        /// Marks the cell running since `started` (a progress line may have come first: the
        /// program's streams are read apart).
        mutating func startRunning(at started: Double?) {
            activity = .running
            runStarted = started ?? Date().timeIntervalSince1970
        }
    }

    /// The chapter as the file holds it (saved sources).
    public private(set) var chapter: Chapter
    /// Sources run but not saved, by cell id.
    public private(set) var working: [String: String] = [:]
    public private(set) var slots: [String: Slot] = [:]
    public var snapshot: SnapshotState = .starting
    /// The toolchain and settings part of every cell key (``ChapterRunner/environmentKey(toolchain:settings:)``).
    public let environmentKey: String

    public init(chapter: Chapter, environmentKey: String) {
        self.chapter = chapter
        self.environmentKey = environmentKey
    }

    // MARK: Sources

    /// The chapter with the sources run but not saved.
    public var workingChapter: Chapter {
        var copy = chapter
        copy.blocks = chapter.blocks.map { block in
            guard case var .cell(cell) = block, let source = working[cell.id] else { return block }
            cell.source = source
            return .cell(cell)
        }
        return copy
    }

    /// The saved cell `id`, or ``LiveSessionError/unknownCell(_:)``.
    public func cell(id: String) throws -> Cell {
        guard let cell = chapter.cells.first(where: { $0.id == id }) else { throw LiveSessionError.unknownCell(id) }
        return cell
    }

    /// Takes the file's new content: after a save of cell `savedID` (its unsaved source is now
    /// the file's), or after an edit made elsewhere (`savedID` nil: every unsaved source goes,
    /// the page keeps its own).
    public mutating func reload(_ chapter: Chapter, savedID: String?) {
        self.chapter = chapter
        if let savedID { working[savedID] = nil } else { working = [:] }
    }

    // MARK: Runs

    /// Queues cell `id` to run with `source`, which becomes its working source. Throws
    /// ``LiveSessionError`` for an unknown cell or a listing.
    public mutating func queueRun(of id: String, source: String) throws -> Cell {
        let cell = try cell(id: id)
        guard !cell.tags.noRun else { throw LiveSessionError.notRunnable(id) }
        working[id] = source
        slots[id, default: Slot()].queue()
        return cell
    }

    /// Queues the cells of `chapter` that `plans` run (the main cells, before a program runs them).
    public mutating func queueMainCells(of chapter: Chapter, plans: [CellPlan]) {
        for cell in chapter.cells where plans[cell.index].runs { slots[cell.id, default: Slot()].queue() }
    }

    /// Cell `id` runs, its outputs so far in `result`; true if it was not running before.
    @discardableResult
    public mutating func showRunning(_ id: String, result: CellResult, startedAt started: Double?) -> Bool {
        let starts = slots[id]?.activity != .running
        if starts { slots[id, default: Slot()].startRunning(at: started) }
        showOutputsSoFar(id, result: result)
        return starts
    }

    /// Cell `id` shows the outputs of a run still under way, whatever its activity.
    public mutating func showOutputsSoFar(_ id: String, result: CellResult) {
        slots[id, default: Slot()].result = result
        slots[id, default: Slot()].figures = []
    }

    /// Cell `id` marked running (an exercise, compiled before its process starts).
    public mutating func markRunning(_ id: String) {
        slots[id, default: Slot()].startRunning(at: nil)
    }

    /// Cell `id`'s run ended with `result`, made from what `key` names.
    public mutating func finish(_ id: String, result: CellResult, figures: [FigureRenderer.Rendered] = [], key: String?) {
        slots[id] = Slot(result: result, figures: figures, key: key)
    }

    /// Cell `id` is at rest again, its last result kept (a run that did not happen).
    public mutating func settle(_ id: String) {
        slots[id]?.activity = nil
    }

    public mutating func showProgress(_ id: String, line: String) {
        slots[id, default: Slot()].progress = line
    }

    public mutating func showLiveFigure(_ id: String, svg: String) {
        slots[id, default: Slot()].liveFigure = svg
    }

    // MARK: What the page shows

    /// The cell keys of the working chapter: a result made from another key is stale.
    public var workingKeys: [String: String] { CellKeys.keys(for: workingChapter, environment: environmentKey) }

    /// The whole chapter, each cell with the file's source.
    public func chapterState(version: String, path: String) -> LiveChapterState {
        let keys = workingKeys
        return LiveChapterState(version: version, path: path, snapshot: snapshot,
                                cells: chapter.cells.map { state(of: $0, keys: keys) })
    }

    /// Cell `id`'s state now.
    public func cellState(id: String) -> LiveCellState {
        let cell = chapter.cells.first { $0.id == id } ?? Cell(index: -1, id: id, source: "", line: 0)
        return state(of: cell, keys: workingKeys)
    }

    /// A cell's state; its source is the file's (the page keeps unsaved edits itself).
    private func state(of cell: Cell, keys: [String: String]) -> LiveCellState {
        let kind = LiveCellState.Kind(rawValue: HTMLWeaver.kind(of: cell)) ?? .main
        guard kind != .listing else {
            return LiveCellState(id: cell.id, index: cell.index, line: cell.line, source: cell.source, kind: kind,
                                 status: .skipped, note: "shown only (tagged .norun)")
        }
        let slot = slots[cell.id] ?? Slot()
        var status: LiveCellState.Status
        var note = slot.result?.note
        if let activity = slot.activity {
            status = activity
        } else if let result = slot.result {
            status = Self.status(of: result)
            if slot.key != keys[cell.id] && result.status != .skipped {
                status = .stale
                note = "stale: this cell or a main cell before it changed since it ran"
            }
        } else {
            status = .notRun
        }
        var state = LiveCellState(id: cell.id, index: cell.index, line: cell.line, source: cell.source, kind: kind,
                                  status: status, outputs: LiveOutput.outputs(slot.result?.outputs ?? [], figures: slot.figures),
                                  seconds: slot.result?.seconds, ranAt: slot.result?.ended, note: note)
        if status == .queued || status == .running {
            state.progress = slot.progress
            state.liveFigure = slot.liveFigure
            state.startedAt = slot.runStarted
        }
        return state
    }

    /// What a finished run of cell `id` answers; `started` when it was asked for.
    public func answer(for id: String, since started: Date) -> LiveRunAnswer {
        let slot = slots[id] ?? Slot()
        return LiveRunAnswer(status: slot.result.map(Self.status(of:)) ?? .notRun,
                             outputs: LiveOutput.outputs(slot.result?.outputs ?? [], figures: slot.figures),
                             seconds: slot.result?.seconds ?? Date().timeIntervalSince(started))
    }

    /// The page's content: the file's chapter with every cell's last result and figures.
    public func page(title fallback: String, summary: String) -> LivePage {
        var figures: RenderedFigures = [:]
        let results = chapter.cells.map { cell -> CellResult in
            let slot = slots[cell.id] ?? Slot()
            figures[cell.index] = slot.figures
            var result = slot.result ?? CellResult(index: cell.index, status: cell.tags.noRun ? .skipped : .notRun)
            result.index = cell.index
            return result
        }
        let title = chapter.blocks.lazy.compactMap { block -> String? in
            guard case let .prose(_, markdown, _) = block else { return nil }
            return markdown.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) }
        }.first ?? fallback
        return LivePage(title: title, chapter: chapter, results: RunResult(cells: results), figures: figures, summary: summary)
    }

    /// The state a finished result gives its cell.
    public static func status(of result: CellResult) -> LiveCellState.Status {
        switch result.status {
        case .ok: return .ran
        case .failedAsExpected: return .failedAsExpected
        case .failed: return .failed
        case .notRun: return .notRun
        case .skipped: return .skipped
        }
    }
}

/// What the live page weaves: the chapter, its cells' results and figures.
public struct LivePage: Sendable {
    /// The chapter's first heading, or its file's name.
    public var title: String
    public var chapter: Chapter
    public var results: RunResult
    public var figures: RenderedFigures
    /// The line under the title (command, seed).
    public var summary: String

    /// The page, linking the live page's assets.
    public var html: String {
        HTMLWeaver(title: title, katex: nil, mode: .live).weave(chapter, results: results, figures: figures, summary: summary)
    }
}
