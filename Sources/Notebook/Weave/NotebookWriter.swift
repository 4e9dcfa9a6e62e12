import CellProtocol
import Foundation

/// Writes the run as a Jupyter notebook (nbformat 4) with a Swift kernel spec, so the result
/// opens in Jupyter, VS Code or nbviewer. Each code cell records its timing in
/// `metadata.execution`, as nbclient's `record_timing` does.
public enum NotebookWriter {
    public static func notebook(_ chapter: Chapter, results: RunResult, figures: RenderedFigures) throws -> Data {
        let byIndex = Dictionary(uniqueKeysWithValues: results.cells.map { ($0.index, $0) })
        var executionCount = 0
        // d2l's marks are rendered as the page renders them (`:label:` an anchor, `:numref:` a
        // link across cells); Jupyter renders the Markdown and the maths.
        let labels = chapter.blocks.reduce(into: Set<String>()) { labels, block in
            if case let .prose(_, markdown, _) = block { labels.formUnion(D2LMarkdownExtensions.labels(in: markdown)) }
        }
        var ids = CellIDs()
        var cells: [[String: Any]] = chapter.blocks.map { block in
            switch block {
            case let .prose(_, markdown, _):
                return ["cell_type": "markdown", "metadata": [String: Any](),
                        "source": lines(D2LMarkdownExtensions.rewrite(markdown, knownLabels: labels))]
            case let .listing(code, language, _):
                return ["cell_type": "markdown", "metadata": [String: Any](),
                        "source": lines("```\(language)\n\(code)\n```")]
            case let .cell(cell):
                let result = byIndex[cell.index]
                var metadata: [String: Any] = ["id": cell.id, "tags": tagNames(cell.tags)]
                if let started = result?.started, let ended = result?.ended {
                    metadata["execution"] = ["iopub.execute_input": isoTime(started),
                                             "shell.execute_reply": isoTime(ended)]
                }
                if let previous = result?.previousRun {
                    metadata["d2l_previous_run"] = ["ran_at": isoTime(previous.ranAt), "stale": previous.isStale,
                                                    "label": previous.label]
                }
                let ran = result.map { [.ok, .failed, .failedAsExpected].contains($0.status) } ?? false
                if ran { executionCount += 1 }
                var pending = (figures[cell.index] ?? [])[...]
                return ["cell_type": "code", "metadata": metadata, "source": lines(cell.source),
                        "execution_count": ran ? executionCount as Any : NSNull(),
                        "outputs": (result?.outputs ?? []).compactMap { output(for: $0, figures: &pending) }]
            }
        }
        // nbformat 4.5: every cell has an id; a code cell keeps the chapter's own.
        for (position, block) in chapter.blocks.enumerated() {
            if case let .cell(cell) = block {
                cells[position]["id"] = ids.unique(cell.id)
            } else {
                cells[position]["id"] = ids.unique("md-\(position + 1)")
            }
        }
        let notebook: [String: Any] = [
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": kernelName, "display_name": kernelDisplayName, "language": "swift"],
                "language_info": ["name": "swift", "version": swiftVersion, "file_extension": ".swift", "mimetype": "text/x-swift",
                                  "codemirror_mode": "swift", "pygments_lexer": "swift"],
            ],
            "cells": cells,
        ]
        return try JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys])
    }

    /// The Swift version cells are compiled with: the compiler that built d2l-run, as a chapter
    /// program must be built by the compiler its library was. The kernel reports it too, so a
    /// notebook that ran is not marked changed for it.
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    /// The kernel `d2l-run kernel install` installs (its kernelspec's name and display name).
    public static let kernelName = "d2l-swift"
    public static let kernelDisplayName = "Swift (d2l-swift)"

    /// Cell ids as nbformat wants them: 1-64 of `A-Za-z0-9_-`, unique in the notebook.
    struct CellIDs {
        private var used: Set<String> = []

        mutating func unique(_ wanted: String) -> String {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
            var base = String(wanted.map { allowed.contains($0) ? $0 : "-" }.prefix(56))
            if base.isEmpty { base = "cell" }
            var candidate = base
            var number = 1
            while used.contains(candidate) {
                number += 1
                candidate = "\(base)-\(number)"
            }
            used.insert(candidate)
            return candidate
        }
    }

    private static func output(for output: CellOutput, figures: inout ArraySlice<FigureRenderer.Rendered>) -> [String: Any]? {
        switch output {
        case let .standardOutput(text): return ["output_type": "stream", "name": "stdout", "text": lines(text)]
        case let .standardError(text): return ["output_type": "stream", "name": "stderr", "text": lines(text)]
        case let .error(error):
            return ["output_type": "error", "ename": "CellError", "evalue": error.headline,
                    "traceback": [error.headline] + (error.details.isEmpty ? [] : [error.details])]
        case let .display(item):
            var data: [String: Any]
            switch item {
            case let .text(text): data = ["text/plain": lines(text)]
            case let .check(check): data = ["text/plain": ["✓ " + check.description]]
            case let .table(table):
                data = ["text/plain": lines(([table.header] + table.rows).map { $0.joined(separator: "\t") }.joined(separator: "\n")),
                        "text/html": lines(HTMLWeaver.tableHTML(table, notebook: true))]
            case let .figure(figure):
                data = ["text/plain": ["<figure: \(figure.series.map(\.name).joined(separator: ", "))>"]]
                if let rendered = figures.popFirst() { data["image/svg+xml"] = lines(rendered.svg) }
            }
            return ["output_type": "display_data", "data": data, "metadata": [String: Any]()]
        }
    }

    /// Notebook text fields are lists of lines, each keeping its newline.
    static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for c in text {
            current.append(c)
            if c == "\n" { result.append(current); current = "" }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private static func tagNames(_ tags: CellTags) -> [String] {
        [tags.save ? "save" : nil, tags.noRun ? "norun" : nil, tags.expectedToFail ? "raises-exception" : nil,
         tags.exercise ? "exercise" : nil].compactMap { $0 }
    }

    private static func isoTime(_ unixTime: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: unixTime))
    }
}
