import CellProtocol
import XCTest
@testable import Notebook
import ProjectPaths

final class WeaveTests: XCTestCase {
    func testHighlighterIsLosslessAndUnderstandsStrings() {
        let source = "let s = \"a // not a comment \\(x + 1)\" /* outer /* inner */ still */ // real\nlet n = 1_000.5e-3"
        let tokens = SwiftHighlighter.tokenize(source)
        XCTAssertEqual(tokens.map(\.text).joined(), source)
        XCTAssertTrue(tokens.contains { $0.kind == .string && $0.text.contains("// not a comment") })
        XCTAssertTrue(tokens.contains { $0.kind == .comment && $0.text == "/* outer /* inner */ still */" })
        XCTAssertTrue(tokens.contains { $0.kind == .number && $0.text == "1_000.5e-3" })
        XCTAssertEqual(tokens.first, SwiftHighlighter.Token(kind: .keyword, text: "let"))
    }

    /// What the hand-written lexer missed, classified as the compiler reads it (swift-syntax).
    func testHighlighterKnowsTheWholeLanguage() {
        func kinds(_ source: String) -> [String: SwiftHighlighter.Kind] {
            let tokens = SwiftHighlighter.tokenize(source)
            XCTAssertEqual(tokens.map(\.text).joined(), source, "lossless")
            return Dictionary(tokens.map { ($0.text, $0.kind) }, uniquingKeysWith: { first, _ in first })
        }
        let modifiers = kinds("package actor A { nonisolated func f(_ x: consuming Int) -> sending B { fatalError() } }")
        for word in ["package", "actor", "nonisolated", "func", "consuming", "sending"] {
            XCTAssertEqual(modifiers[word], .keyword, word)
        }
        XCTAssertEqual(kinds("public macro M() = #externalMacro(module: \"m\", type: \"T\")")["macro"], .keyword)
        XCTAssertEqual(kinds("let r = /a+b/")["/a+b/"], .string, "a regex literal")
        let hex = kinds("let h = 0xE+1")
        XCTAssertEqual(hex["0xE"], .number, "0xE+1 is 0xE plus 1, not an exponent")
        XCTAssertEqual(hex["1"], .number)
        let raw = SwiftHighlighter.tokenize(##"let s = #"a \#(name + "b") c"#"##)
        XCTAssertEqual(raw.first { $0.text == "name" }?.kind, .identifier, "code inside a raw string's interpolation")
        XCTAssertTrue(raw.contains { $0.kind == .string && $0.text.hasPrefix("#\"a ") }, "\(raw)")
        let signs = kinds("@MainActor func g(line: Int = #line) { super.init() }")
        XCTAssertEqual(signs["@MainActor"], .attribute)
        XCTAssertEqual(signs["#line"], .directive)
        XCTAssertEqual(signs["init"], .keyword)
        XCTAssertEqual(kinds("xs.map { $0 + 1 }")["$0"], .identifier, "not a dollar and a number")
        XCTAssertEqual(kinds("f(in: x)")["in"], nil, "an argument label named in is no keyword: \(kinds("f(in: x)"))")
    }

    func testOutputsAreEscaped() {
        let chapter = Chapter(path: "c.md", blocks: [.cell(Cell(index: 0, id: "a", source: "print(\"<script>\")", line: 2))])
        let results = RunResult(cells: [CellResult(index: 0, status: .ok, outputs: [.standardOutput("<script>alert(1)</script>")])])
        let html = HTMLWeaver(title: "t", katex: nil).weave(chapter, results: results, figures: [:], summary: "")
        XCTAssertFalse(html.contains("<script>alert"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    /// The live page links the manifest's assets, in order, the entry as a module after the classic
    /// scripts (deferred: it needs their globals), and has no inline script (the server's policy forbids them).
    func testLivePageLinksTheManifestsAssets() {
        let chapter = Chapter(path: "c.md", blocks: [.cell(Cell(index: 0, id: "a", source: "print(1)", line: 2))])
        let html = HTMLWeaver(title: "t", katex: nil, mode: .live).weave(chapter, results: RunResult(cells: []), figures: [:], summary: "")
        let styles = LiveAssetManifest.styles.map { "<link rel=\"stylesheet\" href=\"\($0)\">" }.joined(separator: "\n")
        let scripts = LiveAssetManifest.classicScripts.map { "<script src=\"\($0)\"></script>" }
            + ["<script type=\"module\" src=\"\(LiveAssetManifest.entryModule)\"></script>"]
        XCTAssertTrue(html.contains(styles), html)
        XCTAssertTrue(html.contains(scripts.joined(separator: "\n")), html)
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, scripts.count)
        XCTAssertTrue(LiveAssetManifest.styles.allSatisfy { url in LiveAssetManifest.folders.contains { url.hasPrefix($0.urlPrefix) } })
    }

    func testFigureIdsArePrefixed() {
        let svg = "<?xml version=\"1.0\"?>\n<svg><g id=\"gnuplot_canvas\"><use xlink:href=\"#gpPt0\"/><path fill=\"url(#grad)\"/></g></svg>"
        let inlined = FigureRenderer.inlineable(svg, prefix: "fig1")
        XCTAssertFalse(inlined.contains("<?xml"))
        XCTAssertTrue(inlined.contains("id=\"fig1-gnuplot_canvas\""))
        XCTAssertTrue(inlined.contains("href=\"#fig1-gpPt0\""))
        XCTAssertTrue(inlined.contains("url(#fig1-grad)"))
    }

    func testFigureIsDrawnWithItsDataAndScript() throws {
        let directory = Project.temporaryDirectory()
        let figure = Figure(xLabel: "epoch", yLabel: "ppl", series: [
            .init(name: "train ppl", points: [[1, 20], [2, 15]]), .init(name: "val ppl", points: [[1, 19], [2, 16]])])
        let rendered = try FigureRenderer(directory: directory).render(figure, name: "f")
        XCTAssertTrue(rendered.svg.hasPrefix("<svg"))
        let data = try String(contentsOf: directory.appendingPathComponent("f.dat"), encoding: .utf8)
        XCTAssertEqual(data, "# train ppl\n1.0 20.0\n2.0 15.0\n\n\n# val ppl\n1.0 19.0\n2.0 16.0\n")
        let script = try String(contentsOf: directory.appendingPathComponent("f.gp"), encoding: .utf8)
        XCTAssertTrue(script.contains("plot \"f.dat\" index 0"))
    }

    func testNotebookIsNbformat4WithTimings() throws {
        let chapter = Chapter(path: "c.md", blocks: [
            .prose(html: "<p>hi</p>", markdown: "hi", line: 1),
            .cell(Cell(index: 0, id: "a", source: "print(1)", line: 3)),
        ])
        let results = RunResult(cells: [CellResult(index: 0, status: .ok, outputs: [.standardOutput("1\n")],
                                                   seconds: 0.25, started: 1_700_000_000, ended: 1_700_000_000.25)])
        let data = try NotebookWriter.notebook(chapter, results: results, figures: [:])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["nbformat"] as? Int, 4)
        let cells = try XCTUnwrap(object["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["cell_type"] as? String }, ["markdown", "code"])
        let metadata = try XCTUnwrap(cells[1]["metadata"] as? [String: Any])
        let execution = try XCTUnwrap(metadata["execution"] as? [String: String])
        XCTAssertEqual(execution["iopub.execute_input"], "2023-11-14T22:13:20.000Z")
        XCTAssertEqual(execution["shell.execute_reply"], "2023-11-14T22:13:20.250Z")
        let outputs = try XCTUnwrap(cells[1]["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.first?["name"] as? String, "stdout")
    }

    /// What Jupyter needs to open and run the notebook: cell ids (nbformat 4.5), the installed
    /// kernel named, d2l's marks rendered, tables as HTML too.
    func testNotebookOpensInJupyterAsThePageReads() throws {
        let chapter = try ChapterParser.parse("""
            # Title
            :label:`sec_rnn`

            See :numref:`sec_rnn` and :numref:`sec_other`.

            ```swift {#a b}
            print(1)
            ```

            ```swift {#a}
            print(2)
            ```
            """.replacingOccurrences(of: "{#a b}", with: "{#tab}"), path: "c.md")
        let results = RunResult(cells: [
            CellResult(index: 0, status: .ok, outputs: [.display(.table(Table(header: ["h"], rows: [["1"]])))]),
            CellResult(index: 1, status: .ok)])
        let data = try NotebookWriter.notebook(chapter, results: results, figures: [:])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual((metadata["kernelspec"] as? [String: String])?["name"], "d2l-swift")
        XCTAssertEqual((metadata["language_info"] as? [String: String])?["version"], NotebookWriter.swiftVersion,
                       "as the kernel reports it: JupyterLab marks a notebook changed when they differ")
        let cells = try XCTUnwrap(object["cells"] as? [[String: Any]])
        let ids = cells.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids.count, cells.count, "every cell has an id")
        XCTAssertEqual(Set(ids).count, ids.count, "ids are unique")
        XCTAssertTrue(ids.allSatisfy { $0.range(of: "^[A-Za-z0-9_-]{1,64}$", options: .regularExpression) != nil }, "\(ids)")
        XCTAssertTrue(ids.contains("tab") && ids.contains("a"), "\(ids)")
        let prose = ((cells[0]["source"] as? [String]) ?? []).joined()
        XCTAssertFalse(prose.contains(":label:") || prose.contains(":numref:"), prose)
        XCTAssertTrue(prose.contains("href=\"#sec_rnn\""), prose)
        let table = try XCTUnwrap((cells[1]["outputs"] as? [[String: Any]])?.first?["data"] as? [String: Any])
        let tableHTML = ((table["text/html"] as? [String]) ?? []).joined()
        XCTAssertTrue(tableHTML.contains("<table"), "\(table)")
        XCTAssertNotNil(table["text/plain"])
        // Jupyter's front ends right-align every cell and know nothing of our stylesheet.
        XCTAssertTrue(tableHTML.contains("<th style=\"text-align: left\">"), tableHTML)
    }
}
