import XCTest
@testable import Notebook

final class MathProtectionTests: XCTestCase {
    func testMathSurvivesCmark() throws {
        let chapter = try ChapterParser.parse("Inline $a_i + b_j \\| c$ and display\n\n$$x_t = \\|W_{xh}\\|_2$$\n", path: "m.md")
        guard case let .prose(html, _, _) = chapter.blocks[0] else { return XCTFail("expected prose") }
        XCTAssertTrue(html.contains("$a_i + b_j \\| c$"), html)
        XCTAssertTrue(html.contains("$$x_t = \\|W_{xh}\\|_2$$"), html)
        XCTAssertFalse(html.contains("<em>"))
    }

    func testLineNumbersStayPutAfterMultilineDisplayMath() throws {
        let text = "Intro\n\n$$\na_1\n+ b_2\n$$\n\n```swift {#c}\nprint(1)\n```\n"
        let protection = MathProtection(text)
        XCTAssertEqual(protection.protected.split(separator: "\n", omittingEmptySubsequences: false).count,
                       text.split(separator: "\n", omittingEmptySubsequences: false).count)
        let chapter = try ChapterParser.parse(text, path: "m.md")
        XCTAssertEqual(chapter.cells.first?.line, 9)
    }

    func testCodeIsNotTouched() {
        let text = "Price `$5 and $6` here.\n\n```swift {}\nlet s = \"$x_1$\"\n```\n"
        let protection = MathProtection(text)
        XCTAssertEqual(protection.spans, [])
        XCTAssertEqual(protection.protected, text)
    }

    func testEscapedDollarIsNotMath() {
        XCTAssertEqual(MathProtection("costs \\$5 or \\$6").spans, [])
    }
}
