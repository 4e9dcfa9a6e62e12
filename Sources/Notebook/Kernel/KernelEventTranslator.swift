import CellProtocol
import Foundation

/// Turns what a running kernel cell has written so far (its ``OutputCollector`` record, which
/// grows as bytes arrive) and its live markers into ``KernelEvent``s, each output published
/// once, in order.
///
/// Standard output is published by whole lines, a line's start held back at most
/// ``partialLineDelay`` (the cell's unbuffered `print` writes a line and its newline apart, and
/// a front end would show them as two outputs). Standard error is published by whole lines,
/// without the Swift runtime's crash report (its message and line go into the cell's error
/// instead). A figure the cell draws live (the
/// training board each epoch) is one display, updated in place; the first figure the cell
/// displays after it (the board at the end of training) replaces it too.
struct KernelEventTranslator {
    /// Draws a figure as SVG (gnuplot); nil if it cannot be drawn.
    let renderFigure: (Figure) -> String?
    /// The display id of the cell's live figure.
    let liveDisplayID: String

    private var publishedOutputs = 0
    /// UTF-8 bytes already published of the output at `publishedOutputs` (text still growing).
    private var publishedBytes = 0
    private var heldStandardError = ""
    /// Since when the start of a standard output line has been held back.
    private var partialLineHeldSince: Date?
    private var liveFigureShown = false
    /// Set once a displayed figure took the live figure's place: a live figure arriving later
    /// (its marker read after the final figure) must not open a second display.
    private var liveFigureClosed = false
    private var liveFigures = LiveFigureThrottle()
    /// Progress displays opened so far; the last one is updated in place while its lines are
    /// epoch lines.
    private var progressDisplays = 0
    private var progressOpen = false

    /// The longest a line's start (`print(..., terminator: "")`) waits for the rest of it.
    static let partialLineDelay: TimeInterval = 0.2

    /// Whether the start of a standard output line is held back: ask again for events after
    /// ``partialLineDelay``.
    var holdsPartialLine: Bool { partialLineHeldSince != nil }

    /// The display id of the cell's progress line (the training's epoch line, one line
    /// rewritten in place as the terminal shows it); each training of the cell has its own.
    var progressDisplayID: String { liveDisplayID + "-progress" + (progressDisplays > 1 ? "-\(progressDisplays)" : "") }

    init(liveDisplayID: String, renderFigure: @escaping (Figure) -> String?) {
        self.liveDisplayID = liveDisplayID
        self.renderFigure = renderFigure
    }

    /// The events for what `outputs` holds beyond what was published; `final` when the cell
    /// has ended (held-back text is published).
    mutating func events(for outputs: [CellOutput], final: Bool, now: Date = Date()) -> [KernelEvent] {
        var events: [KernelEvent] = []
        while publishedOutputs < outputs.count {
            let output = outputs[publishedOutputs]
            let isLast = publishedOutputs == outputs.count - 1
            switch output {
            case let .standardOutput(text), let .standardError(text):
                let bytes = Array(text.utf8)
                var fresh = bytes[min(publishedBytes, bytes.count)...]
                if case .standardOutput = output {
                    if isLast && !final, let cut = partialLineCut(fresh, now: now) { fresh = fresh[..<cut] }
                    publishedBytes += fresh.count
                    if !fresh.isEmpty { events.append(.stream(name: "stdout", text: String(decoding: fresh, as: UTF8.self))) }
                } else {
                    publishedBytes = bytes.count
                    heldStandardError += String(decoding: fresh, as: UTF8.self)
                    events += standardErrorLines(complete: !isLast || final)
                }
            case let .display(item):
                events.append(display(item))
            case .error:
                break  // the runner's own notes (an unreadable result) go into the cell's error
            }
            if isLast && !final {
                // Text may still grow: keep its place. Anything else is done.
                if case .display = output { publishedOutputs += 1; publishedBytes = 0 }
                else if case .error = output { publishedOutputs += 1; publishedBytes = 0 }
                break
            }
            publishedOutputs += 1
            publishedBytes = 0
            partialLineHeldSince = nil
        }
        if final {
            events += standardErrorLines(complete: true)
            if !liveFigureClosed, let pending = liveFigures.takePending(), let data = bundle(for: .figure(pending)) {
                events.append(.updateDisplay(data: data, displayID: liveDisplayID))
            }
        }
        return events
    }

    /// Where to stop publishing `fresh` standard output bytes: after the last newline while the
    /// line after it is young; nil to publish them all.
    private mutating func partialLineCut(_ fresh: ArraySlice<UInt8>, now: Date) -> Int? {
        guard let last = fresh.last, last != UInt8(ascii: "\n") else {
            partialLineHeldSince = nil
            return nil
        }
        let heldSince = partialLineHeldSince ?? now
        guard now.timeIntervalSince(heldSince) < Self.partialLineDelay else {
            partialLineHeldSince = nil
            return nil
        }
        partialLineHeldSince = heldSince
        return fresh.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? fresh.startIndex
    }

    /// The cell's live figure so far, as ``LiveFigureThrottle`` lets it through (the latest is
    /// drawn when the cell ends).
    mutating func liveFigure(_ figure: Figure, now: Date = Date()) -> [KernelEvent] {
        guard !liveFigureClosed, let figure = liveFigures.admit(figure, now: now),
              let data = bundle(for: .figure(figure)) else { return [] }
        defer { liveFigureShown = true }
        return [liveFigureShown ? .updateDisplay(data: data, displayID: liveDisplayID)
                                : .display(data: data, displayID: liveDisplayID)]
    }

    /// The cell's progress line, shown in place of the one before. An epoch line is rewritten
    /// by the next; any other line (a training's "trained N epochs in ...") stays, as on the
    /// terminal: the next training's lines open a display of their own.
    mutating func progress(_ line: String) -> [KernelEvent] {
        let data = ["text/plain": line]
        let updates = progressOpen
        if !updates { progressDisplays += 1 }
        progressOpen = line.hasPrefix("epoch ")
        return [updates ? .updateDisplay(data: data, displayID: progressDisplayID)
                        : .display(data: data, displayID: progressDisplayID)]
    }

    /// The cell's value.
    func value(_ item: DisplayItem) -> [KernelEvent] {
        bundle(for: item).map { [.result(data: $0)] } ?? []
    }

    private mutating func display(_ item: DisplayItem) -> KernelEvent {
        let data = bundle(for: item) ?? ["text/plain": Self.plainText(item)]
        if case .figure = item, liveFigureShown {
            liveFigureShown = false
            liveFigureClosed = true
            _ = liveFigures.takePending()
            return .updateDisplay(data: data, displayID: liveDisplayID)
        }
        return .display(data: data, displayID: nil)
    }

    /// Held standard error's whole lines (all of it when `complete`), without crash-report lines.
    private mutating func standardErrorLines(complete: Bool) -> [KernelEvent] {
        var text = heldStandardError
        if complete {
            heldStandardError = ""
        } else {
            guard let newline = text.lastIndex(of: "\n") else { return [] }
            heldStandardError = String(text[text.index(after: newline)...])
            text = String(text[...newline])
        }
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { offset, line in
            line.trimmingCharacters(in: .whitespaces).isEmpty
                || !CrashReport(standardError: String(line), chapterPath: "").remainingText.isEmpty
        }.map(\.element).joined(separator: "\n")
        // The blank lines around a crash report would be a stream of their own: a failing cell
        // must give exactly one error message, as front ends (and jupyter_kernel_test) expect.
        return kept.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [] : [.stream(name: "stderr", text: kept)]
    }

    /// The MIME bundle of a rich result; nil for a figure that cannot be drawn.
    func bundle(for item: DisplayItem) -> [String: String]? {
        switch item {
        case let .table(table):
            return ["text/plain": Self.plainText(item), "text/html": HTMLWeaver.tableHTML(table, notebook: true)]
        case let .figure(figure):
            guard let svg = renderFigure(figure) else { return ["text/plain": Self.plainText(item)] }
            return ["text/plain": Self.plainText(item), "image/svg+xml": svg]
        case .text, .check:
            return ["text/plain": Self.plainText(item)]
        }
    }

    /// A rich result as text, as the notebook file gives it.
    static func plainText(_ item: DisplayItem) -> String {
        switch item {
        case let .text(text): return text
        case let .check(check): return "✓ " + check.description
        case let .table(table): return ([table.header] + table.rows).map { $0.joined(separator: "\t") }.joined(separator: "\n")
        case let .figure(figure): return "<figure: \(figure.series.map(\.name).joined(separator: ", "))>"
        }
    }
}
