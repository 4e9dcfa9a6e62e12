import CellProtocol
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Notebook
import ProjectPaths

/// Every result is text until proven markup: a hostile string in any field a cell or a file name
/// controls lands escaped in the page, in the inline SVG and in the notebook, and never runs.
final class EscapingTests: XCTestCase {
    /// Markup that would run if it landed unescaped: each part leaves a mark in the DOM.
    static let markup = "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
        + "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
    /// The markup, a quote of each kind, a bare ampersand and maths delimiters.
    static let hostile = markup + " \"q\" 'a' & ]]> $a_b$"

    // MARK: - HTMLEscaping

    func testEscapingCoversTheFiveCharacters() {
        XCTAssertEqual(HTMLEscaping.escape("&<>\"'x"), "&amp;&lt;&gt;&quot;&#39;x")
    }

    // MARK: - gnuplot

    /// Texts that broke the old script: a backtick (command substitution, even in double
    /// quotes), a backslash that ends a string early followed by `system(...)`, a newline, `@`.
    private func hostileFigure(in directory: URL) -> Figure {
        let mark = { (name: String) in directory.appendingPathComponent(name).path }
        return Figure(
            title: "`touch \(mark("backtick"))` <script>alert(1)</script> train_ppl x^2 {y} @GPVAL_VERSION\nsecond line",
            xLabel: "\\\" . system('touch \(mark("system"))') #",
            yLabel: "it's \\ & ]]> \"q\" $HOME",
            series: [.init(name: "a\"b\\", points: [[1, 2], [2, 3]]),
                     .init(name: "<img src=x onerror=alert(1)>&amp; system(\"touch \(mark("series"))\")\n1 5",
                           points: [[1, 3], [2, 1]])])
    }

    /// The text content of an SVG's `<text>` elements, unescaped, one string per element.
    private func texts(_ svg: String) -> [String] {
        var result: [String] = []
        var rest = svg[...]
        while let open = rest.range(of: "<text"), let start = rest[open.upperBound...].range(of: ">"),
              let close = rest[start.upperBound...].range(of: "</text>") {
            var text = String(rest[start.upperBound..<close.lowerBound])
            while let tag = text.range(of: "<[^>]*>", options: .regularExpression) { text.removeSubrange(tag) }
            for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
                text = text.replacingOccurrences(of: entity, with: character)
            }
            result.append(text)
            rest = rest[close.upperBound...]
        }
        return result
    }

    func testGnuplotRunsNoCommandFromAFigureAndShowsItsTextsLiterally() throws {
        let directory = Project.temporaryDirectory()
        let figure = hostileFigure(in: directory)
        let drawn = Result { try FigureRenderer(directory: directory).render(figure, name: "f") }
        for mark in ["backtick", "system", "series"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent(mark).path),
                           "the figure's text ran `touch \(mark)`")
        }
        let rendered = try drawn.get()
        let shown = texts(rendered.svg)
        for expected in ["`touch \(directory.path)/backtick` <script>alert(1)</script> train_ppl x^2 {y} @GPVAL_VERSION",
                         "second line", figure.xLabel, figure.yLabel, "a\"b\\",
                         "<img src=x onerror=alert(1)>&amp; system(\"touch \(directory.path)/series\")", "1 5"] {
            XCTAssertTrue(shown.contains(expected), "\(expected) is not shown as it is; texts: \(shown)")
        }
        // A name's newline does not add data lines.
        let data = try String(contentsOf: directory.appendingPathComponent("f.dat"), encoding: .utf8)
        XCTAssertEqual(data.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") },
                       ["1.0 2.0", "2.0 3.0", "1.0 3.0", "2.0 1.0"])
    }

    func testGnuplotStringsHoldNoCharacterGnuplotInterprets() {
        let quoted = FigureRenderer.quoted("a\"b\\`c`@d$e\nf\u{1}g")
        XCTAssertEqual(quoted, "\"a\\\"b\\\\\\140c\\140\\100d\\044e\\nf\\001g\"")
        let script = FigureRenderer.script(Figure(title: "x", xLabel: "`", yLabel: "y",
                                                  series: [.init(name: "s", points: [[0, 0]])]), name: "n\nm")
        XCTAssertFalse(script.contains("`"))
        XCTAssertTrue(script.contains(" noenhanced "))
        // A file name's newline stays inside the comment and the strings.
        XCTAssertTrue(script.hasPrefix("# Draws n m.svg from n m.dat"))
        XCTAssertEqual(script.components(separatedBy: "\n").filter { $0.hasPrefix("m") }, [])
    }

    func testFigureTextIsEscapedInTheInlineSVG() throws {
        let directory = Project.temporaryDirectory()
        let rendered = try FigureRenderer(directory: directory).render(hostileFigure(in: directory), name: "f")
        XCTAssertFalse(rendered.svg.contains("<script"))
        XCTAssertFalse(rendered.svg.contains("<img"))
        XCTAssertTrue(rendered.svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(rendered.svg.contains("&lt;img src=x onerror=alert(1)&gt;&amp;amp;"))
        XCTAssertFalse(rendered.svg.contains("]]>"), "a bare ]]> makes the SVG bad XML")
        // The inline SVG is well-formed XML.
        let data = Data(rendered.svg.utf8)
        let parser = XMLParser(data: data)
        XCTAssertTrue(parser.parse(), "\(String(describing: parser.parserError))")
    }

    func testGnuplotTerminalEmitsNoScript() throws {
        let directory = Project.temporaryDirectory()
        let figure = Figure(xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [[0, 1], [1, 2]])])
        let script = FigureRenderer.script(figure, name: "f")
        let terminal = try XCTUnwrap(script.split(separator: "\n").first { $0.hasPrefix("set terminal") })
        for option in ["mouse", "jsdir", "standalone"] { XCTAssertFalse(terminal.contains(option)) }
        let rendered = try FigureRenderer(directory: directory).render(figure, name: "f")
        let raw = try String(contentsOf: directory.appendingPathComponent("f.svg"), encoding: .utf8)
        for svg in [raw, rendered.svg] {
            XCTAssertFalse(svg.contains("<script"))
            XCTAssertNil(svg.range(of: " on[a-z]+=", options: .regularExpression))
        }
    }

    /// gnuplot's `mouse standalone` SVG (what an init file could ask for) loses its scripts and
    /// handlers when inlined, and keeps its drawing.
    func testInlinedSVGDropsGnuplotsMouseScripts() throws {
        let gnuplot = try XCTUnwrap(Toolchain.findInPath("gnuplot"))
        let directory = Project.temporaryDirectory()
        let script = "set terminal svg mouse standalone\nset output 'm.svg'\nplot x title '<b>x</b>'\n"
        try script.write(to: directory.appendingPathComponent("m.gp"), atomically: true, encoding: .utf8)
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" m.gp", "sh", directory.path, gnuplot])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let raw = try String(contentsOf: directory.appendingPathComponent("m.svg"), encoding: .utf8)
        XCTAssertTrue(raw.contains("<script") && raw.contains("onclick="), "gnuplot's mouse SVG has scripts")
        let inlined = FigureRenderer.inlineable(raw, prefix: "m")
        XCTAssertFalse(inlined.contains("<script"))
        XCTAssertNil(inlined.range(of: "\\son[a-z]+=", options: .regularExpression))
        XCTAssertFalse(inlined.contains("<image"))
        XCTAssertTrue(inlined.hasPrefix("<svg"))
        XCTAssertTrue(inlined.contains("<path") && inlined.contains("&lt;b&gt;x&lt;/b&gt;"))
    }

    /// Markup gnuplot might leave bare (another version, another terminal) never becomes a tag.
    func testInlinedSVGKeepsOnlyDrawingElements() {
        let svg = """
        <?xml version="1.0"?>
        <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">
        <svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"><g id='a' clip-path="url(#c)">
        <text>1 < 2 & <script>alert(2)</script><img src=x onerror=alert(3)> ]]> &amp; &#39;</text>
        <a xlink:href="javascript:alert(4)"><text>link</text></a>
        <use xlink:href="#a" href="https://example.com/x.svg#y"/>
        <foreignObject><div onclick="alert(5)">html</div></foreignObject>
        <text><![CDATA[<b>cdata</b>]]></text><!-- <script>alert(6)</script> -->
        <SCRIPT type="text/javascript">alert(7)</SCRIPT><Text ONCLICK=alert(8)>t</Text>
        </g></svg>
        """
        let inlined = FigureRenderer.inlineable(svg, prefix: "p\" onload=\"alert(9)")
        for live in ["<script", "<SCRIPT", "<img", "<a ", "<foreignObject", "<div", "javascript:", "example.com",
                     "alert(1)", "alert(5)", "alert(6)", "alert(7)", "<!DOCTYPE", "<?xml"] {
            XCTAssertFalse(inlined.contains(live), "\(live) in \(inlined)")
        }
        XCTAssertNil(inlined.range(of: "\\son[a-zA-Z]+=", options: .regularExpression), inlined)
        XCTAssertTrue(inlined.contains("1 &lt; 2 &amp; "))
        XCTAssertTrue(inlined.contains("&lt;b&gt;cdata&lt;/b&gt;"))
        XCTAssertTrue(inlined.contains(" ]]&gt; &amp; &#39;"))
        XCTAssertTrue(inlined.contains("<text>link</text>"))
        // The prefix becomes a token that cannot leave the attribute.
        XCTAssertTrue(inlined.contains("<g id=\"p.22.20onload.3D.22alert.289.29-a\" clip-path=\"url(#p.22.20onload.3D.22alert.289.29-c)\">"),
                      inlined)
        XCTAssertTrue(inlined.contains("<use xlink:href=\"#p.22.20onload.3D.22alert.289.29-a\"/>"), inlined)
        let parser = XMLParser(data: Data(inlined.replacingOccurrences(of: "xlink:href", with: "href").utf8))
        XCTAssertTrue(parser.parse(), "\(String(describing: parser.parserError)): \(inlined)")
    }

    // MARK: - The page

    /// A chapter whose every field holds `hostile`, its results, and its figure drawn under a
    /// hostile file name.
    private func hostileRun(in directory: URL) throws -> (Chapter, RunResult, RenderedFigures) {
        let h = Self.hostile
        let chapter = Chapter(path: "ch \(h).md", blocks: [
            .prose(html: "<p>Prose maths $x^2$ is typeset.</p>\n", markdown: "Prose maths $x^2$ is typeset.", line: 1),
            .listing(code: h, language: "text", line: 2),
            .listing(code: "let s = \"\(h)\" // \(h)", language: "swift", line: 3),
            .cell(Cell(index: 0, id: "a \(h)", source: "print(\"\(h)\") // \(h)", line: 5)),
            .cell(Cell(index: 1, id: "b \(h)", source: "let x = 1", line: 9, tags: CellTags(exercise: true))),
            .cell(Cell(index: 2, id: "c \(h)", source: "let y = 2", line: 12)),
        ])
        let error = CellError(message: "message \(h)", file: "file \(h).md", line: 5, column: 1, details: "details \(h)")
        let figure = Figure(title: "title \(h)", xLabel: "x \(h)", yLabel: "y \(h)",
                            series: [.init(name: "series \(h)", points: [[0, 1], [1, 2]])])
        var exercise = CellResult(index: 1, status: .skipped, outputs: [.standardOutput("old \(h)")], note: "note \(h)")
        exercise.previousRun = .init(ranAt: 1_700_000_000, isStale: true)
        let results = RunResult(cells: [
            CellResult(index: 0, status: .failed, outputs: [
                .standardOutput("stdout \(h)"), .standardError("stderr \(h)"), .display(.text("text \(h)")),
                .display(.check(Check(description: "check \(h)"))),
                .display(.table(Table(header: ["header \(h)", "n"], rows: [["cell \(h)", "1.5"]]))),
                .display(.figure(figure)), .error(error),
            ], seconds: 0.5, started: 1_700_000_000, ended: 1_700_000_000.5),
            exercise,
            CellResult(index: 2, status: .skipped, note: "note \(h)"),
        ])
        // A file name cannot hold "/": the <img> part, quotes and an ampersand.
        let name = "fig " + Self.markup[Self.markup.range(of: "<img")!.lowerBound...] + " \"q\" 'a' & $a_b$"
        let rendered = try FigureRenderer(directory: directory).render(figure, name: name)
        return (chapter, results, [0: [rendered]])
    }

    /// The tags of `html` (name, attribute names), read as a browser does: quotes respected,
    /// `&lt;` is text.
    static func tags(_ html: String) -> [(name: String, attributes: [String])] {
        let s = Array(html.unicodeScalars)
        var result: [(name: String, attributes: [String])] = []
        var i = 0
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{C}" }
        while i < s.count {
            guard s[i] == "<", i + 1 < s.count, s[i + 1].properties.isAlphabetic else { i += 1; continue }
            i += 1
            var name = ""
            while i < s.count, !isSpace(s[i]), s[i] != ">", s[i] != "/" { name.unicodeScalars.append(s[i]); i += 1 }
            var attributes: [String] = []
            while i < s.count, s[i] != ">" {
                if isSpace(s[i]) || s[i] == "/" { i += 1; continue }
                var attribute = ""
                while i < s.count, !isSpace(s[i]), s[i] != "=", s[i] != ">" { attribute.unicodeScalars.append(s[i]); i += 1 }
                attributes.append(attribute.lowercased())
                if i < s.count, s[i] == "=" {
                    i += 1
                    if i < s.count, s[i] == "\"" || s[i] == "'" {
                        let quote = s[i]
                        i += 1
                        while i < s.count, s[i] != quote { i += 1 }
                        i += 1
                    } else {
                        while i < s.count, !isSpace(s[i]), s[i] != ">" { i += 1 }
                    }
                }
            }
            result.append((name.lowercased(), attributes))
            // Script and style content is not markup.
            if ["script", "style"].contains(name.lowercased()),
               let end = String(String.UnicodeScalarView(s[i...])).range(of: "</\(name.lowercased())", options: .caseInsensitive) {
                i += String(String.UnicodeScalarView(s[i...]))[..<end.lowerBound].unicodeScalars.count
            }
        }
        return result
    }

    private func assertNoLiveMarkup(_ text: String, _ what: String, scripts: Int = 0,
                                    file: StaticString = #filePath, line: UInt = #line) {
        let tags = Self.tags(text)
        XCTAssertEqual(tags.filter { $0.name == "script" }.count, scripts, "\(what): a <script> too many", file: file, line: line)
        for tag in tags {
            XCTAssertFalse(["img", "iframe", "object", "embed", "foreignobject", "a"].contains(tag.name),
                           "\(what): a live <\(tag.name)>", file: file, line: line)
            XCTAssertFalse(tag.attributes.contains { $0.hasPrefix("on") }, "\(what): an event handler on <\(tag.name)>",
                           file: file, line: line)
        }
        XCTAssertTrue(tags.count > 0, "\(what): no markup at all", file: file, line: line)
    }

    func testPageEscapesEveryField() throws {
        let directory = Project.temporaryDirectory()
        let (chapter, results, figures) = try hostileRun(in: directory)
        let h = Self.hostile
        let page = HTMLWeaver(title: "title \(h)", katex: nil).weave(chapter, results: results, figures: figures,
                                                                     summary: "summary \(h)")
        assertNoLiveMarkup(page, "page")
        let e = HTMLEscaping.escape(h)
        for field in ["<title>title ", "ch ", "a ", "c ", "stdout ", "stderr ", "text ", "check ", "header ", "cell ",
                      "file ", "message ", "details ", "note ", "summary ", "old "] {
            XCTAssertTrue(page.contains(HTMLEscaping.escape(field) + e) || page.contains(field + e), "\(field) is not escaped")
        }
        // Attributes: the cell id and the figure's file name.
        XCTAssertTrue(page.contains("data-cell-id=\"a \(e)\""))
        XCTAssertTrue(page.contains("id=\"c \(e)\">"))
        let figureName = HTMLEscaping.escape(figures[0]![0].name)
        XCTAssertTrue(page.contains("data-name=\"\(figureName)\""))
        XCTAssertTrue(page.contains("<figcaption>\(figureName).svg"))
        XCTAssertTrue(page.contains("&lt;script&gt;document.documentElement"))
    }

    /// The woven page in Chromium: nothing from a result ran or became an element, the texts are
    /// there as text, and maths is typeset in the prose alone.
    func testHostilePageRunsNothingInChromium() throws {
        let chromium = try XCTUnwrap(Toolchain.findInPath("chromium"), "install Debian's chromium (make deps)")
        let directory = Project.temporaryDirectory()
        let (chapter, results, figures) = try hostileRun(in: directory)
        let katex = KaTeXAssets.load()
        try katex?.copyFonts(to: directory)
        let page = HTMLWeaver(title: "title \(Self.hostile)", katex: katex)
            .weave(chapter, results: results, figures: figures, summary: "summary \(Self.hostile)")
        // A probe, added by the test: what the DOM holds once the page has loaded.
        let probe = """
        <script>window.addEventListener("load", function () { setTimeout(function () {
          var handlers = 0, all = document.querySelectorAll("*");
          for (var i = 0; i < all.length; i++) for (var j = 0; j < all[i].attributes.length; j++)
            if (/^on/i.test(all[i].attributes[j].name)) handlers++;
          document.documentElement.setAttribute("data-probe", [document.scripts.length,
            document.querySelectorAll("img, iframe, object, embed, foreignObject, a").length, handlers].join(" "));
        }, 500); });</script>
        """
        let url = directory.appendingPathComponent("page.html")
        try page.replacingOccurrences(of: "</body>", with: probe + "</body>").write(to: url, atomically: true, encoding: .utf8)
        let dom = try ChildProcess.run(chromium, arguments: ["--headless", "--no-sandbox", "--disable-gpu",
                                                            "--virtual-time-budget=5000", "--dump-dom", url.absoluteString])
        let html = dom.standardOutput
        XCTAssertTrue(html.contains("<main>"), "Chromium gave no page: \(dom.standardError)")
        XCTAssertFalse(html.contains("data-pwned=\""), "a result's markup ran")
        // Scripts: KaTeX's three and the probe; no element that loads or links; no handler.
        XCTAssertTrue(html.contains("data-probe=\"\(katex == nil ? 1 : 4) 0 0\""),
                      "the DOM has scripts, elements or handlers from results: \(html.prefix(200))")
        // The figure's texts are in its SVG as text.
        let svg = try XCTUnwrap(html.range(of: "<svg")).lowerBound
        XCTAssertTrue(html[svg...].contains("title &lt;script&gt;document.documentElement"))
        XCTAssertTrue(html[svg...].contains("series &lt;script&gt;document.documentElement"))
        for field in ["stdout", "check", "cell", "note"] {
            XCTAssertTrue(html.contains("\(field) &lt;script&gt;document.documentElement.setAttribute('data-pwned','script')&lt;/script&gt;"),
                          "\(field) is not shown as text")
        }
        if katex != nil {
            XCTAssertTrue(html.contains("class=\"katex\""), "KaTeX did not typeset the prose")
            // Each $a_b$ of the page is still there: none was typeset.
            XCTAssertEqual(html.components(separatedBy: "$a_b$").count, page.components(separatedBy: "$a_b$").count,
                           "a result's $...$ was typeset as maths")
        }
    }

    // MARK: - The notebook

    func testNotebookHoldsNoLiveMarkup() throws {
        let directory = Project.temporaryDirectory()
        let (chapter, results, figures) = try hostileRun(in: directory)
        let data = try NotebookWriter.notebook(chapter, results: results, figures: figures)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try XCTUnwrap(object["cells"] as? [[String: Any]])
        var rich: [String: String] = [:]
        var plain = ""
        for cell in cells {
            for output in cell["outputs"] as? [[String: Any]] ?? [] {
                for (mime, value) in output["data"] as? [String: Any] ?? [:] {
                    let text = (value as? [String])?.joined() ?? (value as? String) ?? ""
                    if mime == "text/plain" { plain += text } else { rich[mime, default: ""] += text }
                }
            }
        }
        // Rendered as markup by Jupyter: only escaped text from results.
        XCTAssertEqual(Set(rich.keys).subtracting(["image/svg+xml", "text/html"]), [])
        let svg = try XCTUnwrap(rich["image/svg+xml"])
        for (mime, text) in rich { assertNoLiveMarkup(text, mime) }
        XCTAssertTrue(svg.contains("title &lt;script&gt;document.documentElement"))
        // Plain text is shown as text by Jupyter: it keeps the strings exactly.
        XCTAssertTrue(plain.contains("check \(Self.hostile)"))
        XCTAssertTrue(plain.contains("header \(Self.hostile)\tn"))
    }
}
