import CellProtocol
import Foundation

/// The weave stage's input for one cell's rich outputs: figures already drawn to SVG.
public typealias RenderedFigures = [Int: [FigureRenderer.Rendered]]

/// The weave stage: the chapter and its results become one HTML page.
public struct HTMLWeaver: Sendable {
    /// The page's title.
    public var title: String
    /// KaTeX, to typeset maths in the browser without fetching anything.
    public var katex: KaTeXAssets?

    /// Whether the page stands alone (everything inlined) or is served live by `d2l-run serve`
    /// (scripts linked from the server, so that its Content-Security-Policy forbids inline ones).
    public var mode: Mode

    public enum Mode: Sendable {
        case standalone
        case live
    }

    public init(title: String, katex: KaTeXAssets?, mode: Mode = .standalone) {
        self.title = title
        self.katex = katex
        self.mode = mode
    }

    public func weave(_ chapter: Chapter, results: RunResult, figures: RenderedFigures, summary: String) -> String {
        var body = ""
        let resultsByIndex = Dictionary(uniqueKeysWithValues: results.cells.map { ($0.index, $0) })
        for block in chapter.blocks {
            switch block {
            case let .prose(html, _, _):
                body += html
            case let .listing(code, language, _):
                let highlighted = language == "swift" ? SwiftHighlighter.html(code) : HTMLEscaping.escape(code)
                body += "<pre class=\"listing\"><code>\(highlighted)</code></pre>\n"
            case let .cell(cell):
                body += cellHTML(cell, result: resultsByIndex[cell.index], figures: figures[cell.index] ?? [], chapter: chapter)
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="d2l-run">
        <title>\(HTMLEscaping.escape(title))</title>
        <style>\(PageStyle.css)</style>
        \(headAssets)
        </head>
        <body>
        <main>
        \(body)
        <footer class="run-summary">\(HTMLEscaping.escape(summary))</footer>
        </main>
        \(bodyAssets)
        </body>
        </html>

        """
    }

    private var headAssets: String {
        switch mode {
        case .standalone: return katex?.headHTML ?? ""
        case .live: return LiveAssetManifest.styles.map { "<link rel=\"stylesheet\" href=\"\($0)\">" }.joined(separator: "\n")
        }
    }

    private var bodyAssets: String {
        switch mode {
        case .standalone: return katex?.renderScript ?? ""
        case .live:
            // The entry is a module: deferred, it runs after the classic scripts it needs.
            let classic = LiveAssetManifest.classicScripts.map { "<script src=\"\($0)\"></script>" }
            return (classic + ["<script type=\"module\" src=\"\(LiveAssetManifest.entryModule)\"></script>"])
                .joined(separator: "\n")
        }
    }

    /// The kind of cell the live page and its API see.
    static func kind(of cell: Cell) -> String {
        cell.tags.noRun ? "listing" : cell.tags.exercise ? "exercise" : "main"
    }

    private func cellHTML(_ cell: Cell, result: CellResult?, figures: [FigureRenderer.Rendered], chapter: Chapter) -> String {
        let status = result?.status ?? .notRun
        var classes = ["cell", "status-\(status.rawValue)"]
        if cell.tags.exercise { classes.append("exercise") }
        var header = "<span class=\"cell-id\">\(HTMLEscaping.escape(cell.id))</span>"
        header += " <span class=\"cell-line\">\(HTMLEscaping.escape(chapter.path)):\(cell.line)</span>"
        let tags = [cell.tags.save ? "save" : nil, cell.tags.exercise ? "exercise" : nil,
                    cell.tags.expectedToFail ? "fails" : nil, cell.tags.noRun ? "norun" : nil].compactMap { $0 }
        header += tags.map { " <span class=\"cell-tag\">.\($0)</span>" }.joined()
        if let seconds = result?.seconds { header += " <span class=\"cell-time\">\(String(format: "%.2f s", seconds))</span>" }
        if let previous = result?.previousRun {
            classes.append(previous.isStale ? "previous-run stale" : "previous-run")
            header += " <span class=\"cell-status\">\(HTMLEscaping.escape(previous.label))</span>"
        } else {
            header += " <span class=\"cell-status\">\(statusLabel(status))</span>"
        }
        let id = HTMLEscaping.escape(cell.id)
        var html = "<section class=\"\(classes.joined(separator: " "))\" data-cell-id=\"\(id)\""
            + " data-kind=\"\(Self.kind(of: cell))\" data-line=\"\(cell.line)\" id=\"\(id)\">\n"
        html += "<div class=\"cell-header\">\(header)</div>\n"
        html += "<pre class=\"source\"><code>\(SwiftHighlighter.html(cell.source))</code></pre>\n"
        html += "<div class=\"outputs\">\(outputsHTML(result, figures: figures))</div>\n"
        return html + "</section>\n"
    }

    /// A result's outputs as HTML, its figures drawn as `figures` (in order); its note when it
    /// did not run.
    public func outputsHTML(_ result: CellResult?, figures: [FigureRenderer.Rendered]) -> String {
        var note: String?
        if let status = result?.status, status == .skipped || status == .notRun, result?.previousRun == nil {
            note = result?.note
        }
        return outputsHTML(LiveOutput.outputs(result?.outputs ?? [], figures: figures), note: note)
    }

    /// Outputs in their API form as HTML: the static page's, and the live page's (the server
    /// renders a cell's state with it as it answers), then `note` if any.
    public func outputsHTML(_ outputs: [LiveOutput], note: String?) -> String {
        var html = outputs.map(outputHTML).joined()
        if let note { html += "<div class=\"output note\">\(HTMLEscaping.escape(note))</div>\n" }
        return html
    }

    private func outputHTML(_ output: LiveOutput) -> String {
        let text = output.text ?? ""
        switch output.type {
        case "stderr":
            return preformatted(text, kind: "stderr")
        case "error":
            let details = output.details ?? ""
            return preformatted(text + (details.isEmpty ? "" : "\n" + details), kind: "error")
        case "check":
            return "<div class=\"output check\">✓ \(HTMLEscaping.escape(text))</div>\n"
        case "table":
            return Self.tableHTML(Table(header: output.header ?? [], rows: output.rows ?? []))
        case "figure":
            // The name comes from the chapter's file name: text, like every result.
            let name = HTMLEscaping.escape(output.name ?? "")
            let caption = switch mode {
            case .standalone: "\(name).svg, with its data and gnuplot script beside the page"
            case .live: name
            }
            return "<figure class=\"output figure\" data-name=\"\(name)\">\(output.svg ?? "")"
                + "<figcaption>\(caption)</figcaption></figure>\n"
        default:  // stdout, and text a cell displayed
            return preformatted(text, kind: "stdout")
        }
    }

    /// A table as HTML (the page's, and the notebook's and kernel's `text/html`). Numbers line
    /// up on the right, text on the left: by the page's stylesheet, or, for `notebook` (whose
    /// front ends right-align every cell and have no stylesheet of ours), inline.
    static func tableHTML(_ table: Table, notebook: Bool = false) -> String {
        let textAlignment = notebook ? " style=\"text-align: left\"" : ""
        let head = table.header.map { "<th\(textAlignment)>\(HTMLEscaping.escape($0))</th>" }.joined()
        let rows = table.rows.map { row in
            "<tr>" + row.map { cell in
                (Double(cell) != nil ? "<td class=\"number\">" : "<td\(textAlignment)>") + HTMLEscaping.escape(cell) + "</td>"
            }.joined() + "</tr>"
        }
        return "<table class=\"output table\"><thead><tr>\(head)</tr></thead><tbody>\(rows.joined())</tbody></table>\n"
    }

    /// Text shown as it was printed, escaped.
    private func preformatted(_ text: String, kind: String) -> String {
        "<pre class=\"output \(kind)\">\(HTMLEscaping.escape(text))</pre>\n"
    }

    private func statusLabel(_ status: CellResult.Status) -> String {
        switch status {
        case .ok: return "ran"
        case .failed: return "failed"
        case .failedAsExpected: return "failed as expected"
        case .notRun: return "not run"
        case .skipped: return "skipped"
        }
    }
}
