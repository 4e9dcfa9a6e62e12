import XCTest
@testable import Notebook
import ProjectPaths

final class ChapterParserTests: XCTestCase {
    func testCellsKnowTheirLinesAndIds() throws {
        let chapter = try ChapterParser.parse(fileAt: Project.fixtures.appendingPathComponent("good.md").path)
        XCTAssertEqual(chapter.cells.map(\.id), ["first", "second"])
        XCTAssertEqual(chapter.cells.map(\.line), [5, 10])
        XCTAssertEqual(chapter.cells[0].source, "let t = Tensor([[1, 2], [3, 4]])\nprint(\"out <b>\\(t.shape)</b>\")")
    }

    func testD2LExtensionsAreRendered() throws {
        let chapter = try ChapterParser.parse("# T\n:label:`sec_a`\n\nSee :numref:`sec_a` and :numref:`sec_other`, (**bold claim**).\n", path: "d.md")
        guard case let .prose(html, _, _) = chapter.blocks[0] else { return XCTFail("expected prose") }
        XCTAssertTrue(html.contains("id=\"sec_a\""))
        XCTAssertTrue(html.contains("href=\"#sec_a\""))
        XCTAssertTrue(html.contains("section other"))
        XCTAssertFalse(html.contains(":numref:"))
        XCTAssertFalse(html.contains("(**"))
    }

    func testCodeInsideALongerFenceIsLeftAloneByEveryPass() {
        // A four-backtick fence is not closed by the three-backtick line inside it.
        let text = "````\n```swift\n:label:`inside` $x_1$\n```\n````\n:label:`outside`\n"
        XCTAssertEqual(MathProtection(text).spans, [])
        let rewritten = D2LMarkdownExtensions.rewrite(text)
        XCTAssertTrue(rewritten.contains(":label:`inside`"))
        XCTAssertFalse(rewritten.contains(":label:`outside`"))
        XCTAssertNil(CodeFence(opening: "    ```"), "four spaces make an indented code block")
        XCTAssertEqual(CodeFence(opening: "~~~~ text")?.length, 4)
    }

    func testErrorsNameFileAndLine() {
        func error(_ text: String) -> ChapterError? {
            do { _ = try ChapterParser.parse(text, path: "bad.md"); return nil } catch { return error as? ChapterError }
        }
        XCTAssertEqual(error("x\n\n```swift {.sav}\n1\n```\n")?.line, 3)
        XCTAssertEqual(error("```swift {#a}\n1\n```\n\n```swift {#a}\n2\n```\n")?.line, 5)
        XCTAssertEqual(error("text\n\n```swift {#a}\nprint(1)\n")?.line, 3)
        XCTAssertEqual(error("  \n\n")?.message, "the chapter is empty")
        XCTAssertEqual(error("```swift {#a}\n1\n```\n\n```swift {#a}\n2\n```\n")?.description,
                       "bad.md:5: error: duplicate cell id 'a' (first used on line 1)")
    }

    func testUnreadableFiles() throws {
        let directory = Project.temporaryDirectory()
        let binary = directory.appendingPathComponent("latin1.md")
        try Data("ok\nline two \u{e9}\n".utf8.map { $0 } + [0xE9, 0x0A]).write(to: binary)
        XCTAssertThrowsError(try ChapterParser.parse(fileAt: binary.path)) { error in
            XCTAssertEqual((error as? ChapterError)?.line, 3)
            XCTAssertEqual((error as? ChapterError)?.message, "is not valid UTF-8")
        }
        XCTAssertThrowsError(try ChapterParser.parse(fileAt: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"))
        }
        XCTAssertThrowsError(try ChapterParser.parse(fileAt: directory.appendingPathComponent("missing.md").path)) { error in
            XCTAssertTrue("\(error)".hasSuffix("missing.md: error: no such file"))
        }
    }

    // MARK: - Any bytes: a chapter or a ChapterError, with the lines an editor shows

    private func parse(_ bytes: [UInt8], path: String = "x.md") -> Result<Chapter, ChapterError> {
        do { return .success(try ChapterParser.parse(data: Data(bytes), path: path)) } catch {
            guard let chapterError = error as? ChapterError else {
                XCTFail("not a ChapterError: \(error)")
                return .failure(ChapterError(path: path, message: "\(error)"))
            }
            return .failure(chapterError)
        }
    }

    func testLineEndingsAndByteOrderMarkGiveTheEditorsLines() throws {
        let good = try Data(contentsOf: Project.fixtures.appendingPathComponent("good.md"))
        let lf = try ChapterParser.parse(data: good, path: "x.md")
        XCTAssertEqual(lf.cells.map(\.line), [5, 10])
        let text = [UInt8](good)
        let variants: [String: [UInt8]] = [
            "CRLF": Array(String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8),
            "CR": text.map { $0 == 10 ? 13 : $0 },
            "BOM": [0xEF, 0xBB, 0xBF] + text,
            "BOM CRLF": [0xEF, 0xBB, 0xBF] + Array(String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8),
        ]
        for (name, bytes) in variants {
            let chapter = try parse(bytes).get()
            XCTAssertEqual(chapter.cells.map(\.id), ["first", "second"], name)
            XCTAssertEqual(chapter.cells.map(\.line), [5, 10], name)
            XCTAssertEqual(chapter.cells.map(\.source), lf.cells.map(\.source), name)
            XCTAssertEqual(chapter, lf, name)
            for cell in chapter.cells { XCTAssertFalse(cell.source.contains("\r"), name) }
        }
        // The text entry reads them the same way.
        XCTAssertEqual(try ChapterParser.parse("x\r\n\r\n```swift {#a}\r\n1\r2\r\n```\r\n", path: "t.md").cells,
                       [Cell(index: 0, id: "a", source: "1\n2", line: 4)])
    }

    func testAFenceOnLineOneAfterAByteOrderMarkIsFound() throws {
        for ending in ["\n", "\r\n", "\r"] {
            let text = ["```swift {#a}", "print(1)", "```", "", "```swift {#a}", "2", "```"].joined(separator: ending)
            guard case let .failure(error) = parse([0xEF, 0xBB, 0xBF] + Array(text.utf8)) else {
                return XCTFail("duplicate id not found")
            }
            XCTAssertEqual(error.description, "x.md:5: error: duplicate cell id 'a' (first used on line 1)")
            let one = ["```swift {#a}", "print(1)", "```"].joined(separator: ending)
            let single = try parse([0xEF, 0xBB, 0xBF] + Array(one.utf8)).get()
            XCTAssertEqual(single.cells, [Cell(index: 0, id: "a", source: "print(1)", line: 2)], ending.debugDescription)
        }
    }

    func testOnlyOneByteOrderMarkIsDropped() throws {
        // The fuzzer found the text entry dropping a second one: toggling the file's mark then
        // changed the prose.
        let marks: [UInt8] = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF]
        let chapter = try parse(marks + Array("x\n".utf8)).get()
        guard case let .prose(_, markdown, line) = chapter.blocks[0] else { return XCTFail() }
        XCTAssertEqual(markdown, "\u{FEFF}x\n")
        XCTAssertEqual(line, 1)
        XCTAssertEqual(try parse(Array(marks.dropFirst(3)) + Array("x\r\n".utf8)).get(), try parse(Array("\u{FEFF}x\n".utf8)).get())
    }

    func testWideEncodingsAndInvalidUTF8NameTheirLine() {
        let text = "# T\n\n```swift {#a}\n1\n```\n"
        let little: [UInt8] = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let cases: [([UInt8], String)] = [([0xFF, 0xFE] + little, "UTF-16"), ([0xFE, 0xFF] + big, "UTF-16"),
                                          (little, "UTF-16"), (big, "UTF-16"), ([0xFF, 0xFE, 0, 0, 0x23, 0, 0, 0], "UTF-32")]
        for (bytes, name) in cases {
            guard case let .failure(error) = parse(bytes) else { XCTFail(name); continue }
            XCTAssertEqual(error.description, "x.md:1: error: is \(name); save it as UTF-8")
        }
        // Line 3 as an editor counts it, whichever the line breaks.
        for ending in ["\n", "\r\n", "\r"] {
            let bytes = Array("ok\(ending)two \u{e9}\(ending)".utf8) + [0xE9] + Array(ending.utf8)
            guard case let .failure(error) = parse(bytes) else { XCTFail(ending.debugDescription); continue }
            XCTAssertEqual(error.line, 3, ending.debugDescription)
            XCTAssertEqual(error.message, "is not valid UTF-8")
            guard case let .failure(afterBOM) = parse([0xEF, 0xBB, 0xBF] + bytes) else { continue }
            XCTAssertEqual(afterBOM.line, 3, "a byte-order mark adds no line")
        }
        guard case let .failure(empty) = parse([0xEF, 0xBB, 0xBF, 13, 10]) else { return XCTFail() }
        XCTAssertEqual(empty.message, "the chapter is empty")
    }

    func testEdgesOfTheGrammarParseOrNameALine() throws {
        // A cell on the very last line, without a final line break.
        XCTAssertEqual(try parse(Array("```swift {#a}\nx\n```".utf8)).get().cells, [Cell(index: 0, id: "a", source: "x", line: 2)])
        XCTAssertEqual(try parse(Array("```swift {#a}\n```".utf8)).get().cells, [Cell(index: 0, id: "a", source: "", line: 2)])
        // An unclosed fence at the end, with or without a line break, is an error on its line.
        for text in ["p\n\n```swift {#a}", "p\n\n```swift {#a}\n", "p\n\n```swift {#a}\nx", "p\r\n\r\n~~~swift {#a}\r\n```\r\n"] {
            guard case let .failure(error) = parse(Array(text.utf8)) else { XCTFail(text.debugDescription); continue }
            XCTAssertEqual(error.description, "x.md:3: error: code fence opened here is never closed", text.debugDescription)
        }
        // NUL bytes, unbalanced maths, a tab without its end, text that looks like a placeholder.
        let odd = "a\u{0}b $x and $$y\n\n:begin_tab:`swift`\n(**open\n\nD2LMATHSPAN0X $z$ \\$ `$`\n\n```swift {#c}\nlet s = \"D2LMATHSPAN0X $w$\"\u{0}\n```\n$$\nnever closed\n"
        let chapter = try parse(Array(odd.utf8)).get()
        XCTAssertEqual(chapter.cells.map(\.line), [9])
        XCTAssertEqual(chapter.cells.first?.source, "let s = \"D2LMATHSPAN0X $w$\"\u{FFFD}", "cmark reads NUL as U+FFFD")
        guard case let .prose(html, _, _) = chapter.blocks[0] else { return XCTFail() }
        XCTAssertTrue(html.contains("D2LMATHSPAN0X $z$"), html)
        XCTAssertTrue(html.contains("<div class=\"tab\" data-tab=\"swift\">"), html)
        // A backtick fence's info string holds no backtick: this is inline code, not a cell.
        XCTAssertEqual(try parse(Array("``` swift {#a}`\nx\n".utf8)).get().cells, [])
        // Names go into attributes escaped.
        let label = try parse(Array(":label:`a\"b<c` :numref:`a\"b<c`\n".utf8)).get()
        guard case let .prose(labelHTML, _, _) = label.blocks[0] else { return XCTFail() }
        XCTAssertTrue(labelHTML.contains("id=\"a&quot;b&lt;c\""), labelHTML)
    }

    func testHugeAndDeeplyNestedChaptersParse() throws {
        let start = Date()
        let depth = 100_000
        let nested = [String(repeating: "> ", count: depth) + "x\n", String(repeating: "- ", count: depth) + "x\n",
                      String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n",
                      String(repeating: "*a ", count: depth) + "\n", String(repeating: "$", count: depth) + "\n",
                      String(repeating: "`", count: depth) + "\n", String(repeating: "` ``", count: depth) + "\n",
                      String(repeating: ":label:`", count: depth) + "\n", String(repeating: "(**", count: depth) + "\n",
                      String(repeating: "$a$ ", count: depth) + "\n", String(repeating: "```\n", count: depth),
                      String(repeating: "\r", count: depth), String(repeating: "\u{0}", count: depth)]
        for text in nested {
            _ = parse(Array(text.utf8) + Array("\n```swift {#a}\nx\n```\n".utf8))
        }
        let deepList = (0..<2000).map { String(repeating: "  ", count: $0) + "- a $b$ `c`\n" }.joined()
        _ = parse(Array(deepList.utf8))
        // A large chapter: many cells and many maths spans, in linear time.
        let unit = "Text $a_{\(0)}$ and $$b$$ :numref:`sec_x` (**c**).\n\n```swift {}\nprint(1)\n```\n\n"
        let big = String(repeating: unit, count: 20_000)
        let chapter = try parse(Array(big.utf8)).get()
        XCTAssertEqual(chapter.cells.count, 20_000)
        XCTAssertEqual(chapter.cells.last?.line, 19_999 * 6 + 4)
        XCTAssertEqual(chapter.cells.last?.id, "cell-20000")
        XCTAssertLessThan(Date().timeIntervalSince(start), 120)
    }

    /// Size in linear time. The debug build takes 0.8 s a megabyte, so the suite parses 5 MB;
    /// `D2L_PARSER_TEST_MB=50` runs it at 50 MB (a release build parses 50 MB in about 11 s).
    func testALargeChapterParses() throws {
        let megabytes = Int(ProcessInfo.processInfo.environment["D2L_PARSER_TEST_MB"] ?? "") ?? 5
        // Prose, maths, d2l's marks and cells; then as many bytes on one line.
        let unit = Array("Text $a_{i}$ and $$b$$ :numref:`sec_x` (**c**) `d`.\r\n\r\n```swift {}\r\nprint(1)\r\n```\r\n\r\n".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(megabytes * 1_000_000 + unit.count)
        while bytes.count < megabytes * 1_000_000 { bytes += unit }
        var start = Date()
        let chapter = try parse(bytes).get()
        XCTAssertEqual(chapter.cells.count, bytes.count / unit.count)
        XCTAssertEqual(chapter.cells.last?.line, (bytes.count / unit.count - 1) * 6 + 4)
        print("\(megabytes) MB chapter of \(chapter.cells.count) cells: \(Date().timeIntervalSince(start)) s")
        start = Date()
        let line = [UInt8](repeating: UInt8(ascii: "$"), count: 1) + [UInt8](repeating: UInt8(ascii: "x"), count: megabytes * 1_000_000)
        XCTAssertEqual(try parse(line + Array("$ `\n".utf8)).get().cells, [])
        print("\(megabytes) MB line: \(Date().timeIntervalSince(start)) s")
    }

    /// Every input that ever crashed the parser or made it hang (found by `Fuzz/run.sh` or by
    /// hand) is kept in `Fixtures/parser-crashes/`; each must now give a chapter or a
    /// ChapterError, in a few seconds at most (the `hang-` ones took minutes when they were found).
    func testEveryInputThatOnceCrashedTheParserParses() throws {
        let folder = Project.fixtures.appendingPathComponent("parser-crashes")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let start = Date()
            let result = parse([UInt8](data), path: name)
            XCTAssertLessThan(Date().timeIntervalSince(start), 10, name)
            switch result {
            case let .success(chapter):
                for cell in chapter.cells { XCTAssertFalse(cell.source.contains("\r"), name) }
            case let .failure(error):
                XCTAssertTrue(error.description.hasPrefix("\(name):"), error.description)
                if error.message.hasPrefix("is UTF-") { continue }
            }
            // As the fuzz target checks: other line breaks and the byte-order mark toggled give
            // the same chapter or error.
            for ending: [UInt8] in [[13], [13, 10], [10]] {
                var bytes = [UInt8](data)
                let hadMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
                let secondMark = hadMark && bytes.dropFirst(3).starts(with: [0xEF, 0xBB, 0xBF])
                if !secondMark { bytes = hadMark ? Array(bytes.dropFirst(3)) : [0xEF, 0xBB, 0xBF] + bytes }
                let variant = ChapterParser.normalizingLineBreaks(bytes).split(separator: 10, omittingEmptySubsequences: false)
                    .map(Array.init).joined(separator: ending)
                XCTAssertEqual(parse(Array(variant), path: name), result, name)
            }
        }
    }
}
