import XCTest
@testable import Notebook

final class ProgramGeneratorTests: XCTestCase {
    private let chapter = Chapter(path: "Chapters/c.md", blocks: [
        .cell(Cell(index: 0, id: "a", source: "let x = 1", line: 5)),
        .cell(Cell(index: 1, id: "b", source: "print(x)", line: 9, tags: CellTags(exercise: true))),
        .cell(Cell(index: 2, id: "c", source: "print(x + 1)", line: 14, tags: CellTags(expectedToFail: true))),
    ])

    func testEachCellIsFramedAndLocated() {
        let program = ProgramGenerator.generate(chapter, plans: [.run, .skip(reason: "exercise"), .runIsolated])
        let source = program.source
        XCTAssertTrue(source.contains("import D2LSwift"))
        XCTAssertTrue(source.contains("CellRuntime.begin(0)\n#sourceLocation(file: \"Chapters/c.md\", line: 5)\nlet x = 1\n#sourceLocation()\nCellRuntime.end(0)"))
        XCTAssertFalse(source.contains("print(x)\n"), "a skipped cell is not compiled")
        XCTAssertTrue(source.contains("if CellRuntime.beginIsolated(2) {\n#sourceLocation(file: \"Chapters/c.md\", line: 14)\nprint(x + 1)"))
    }

    func testPathsAreEscapedInSourceLocations() {
        XCTAssertEqual(ProgramGenerator.swiftStringLiteral("a\"b\\c"), "\"a\\\"b\\\\c\"")
    }

    func testLibraryExtractionKeepsSavedCellsInOrder() {
        let saved = Chapter(path: "c.md", blocks: [
            .cell(Cell(index: 0, id: "a", source: "public func f() {}", line: 2, tags: CellTags(save: true))),
            .cell(Cell(index: 1, id: "b", source: "f()", line: 6)),
            .cell(Cell(index: 2, id: "c", source: "public func g() {}", line: 9, tags: CellTags(save: true))),
        ])
        let text = LibraryExtraction.librarySource(of: saved)
        XCTAssertTrue(text.hasSuffix("public func f() {}\n\npublic func g() {}\n"))
        XCTAssertFalse(text.contains("f()\n\n"))
    }
}
