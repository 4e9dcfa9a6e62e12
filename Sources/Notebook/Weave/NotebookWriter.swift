import CellProtocol
import Foundation

/// Writes the run as a Jupyter notebook (nbformat 4) with a Swift kernel spec, so the result
/// opens in Jupyter, VS Code or nbviewer. Each code cell records its timing in
/// `metadata.execution`, as nbclient's `record_timing` does.
public enum NotebookWriter {
    public static func notebook(_ chapter: Chapter, results: RunResult, figures: RenderedFigures) throws -> Data {
        let byIndex = Dictionary(uniqueKeysWithValues: results.cells.map { ($0.index, $0) })
        var executionCount = 0
        let cells: [[String: Any]] = chapter.blocks.map { block in
            switch block {
            case let .prose(_, markdown, _):
                return ["cell_type": "markdown", "metadata": [String: Any](), "source": lines(markdown)]
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
        let notebook: [String: Any] = [
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": "swift", "display_name": "Swift", "language": "swift"],
                "language_info": ["name": "swift", "file_extension": ".swift", "mimetype": "text/x-swift"],
            ],
            "cells": cells,
        ]
        return try JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys])
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
                data = ["text/plain": lines(([table.header] + table.rows).map { $0.joined(separator: "\t") }.joined(separator: "\n"))]
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
