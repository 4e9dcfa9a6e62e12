import XCTest
@testable import Notebook

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
}
