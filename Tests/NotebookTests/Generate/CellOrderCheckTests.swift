import XCTest
@testable import Notebook

/// The reading-order rule: a cell uses only what it or earlier cells declare.
final class CellOrderCheckTests: XCTestCase {
    /// The chapter made of `sources`, one cell each (ids `c1`, `c2`, ...), all run in the main flow
    /// unless `isolated` names them.
    private func errors(_ sources: [String], isolated: Set<Int> = []) throws -> [Diagnostic] {
        var markdown = "# T\n"
        for (number, source) in sources.enumerated() {
            let tags = isolated.contains(number) ? " .exercise" : ""
            markdown += "\n```swift {#c\(number + 1)\(tags)}\n\(source)\n```\n"
        }
        let chapter = try ChapterParser.parse(markdown, path: "x.md")
        return CellOrderCheck.diagnostics(for: chapter, plans: CellPlan.plans(for: chapter, exercises: .all))
    }

    func testReadingALaterCellsVariableNamesWhereItIsDeclared() throws {
        let found = try errors(["print(\"early\")\nprint(laterCount)", "var laterCount = 5"])
        XCTAssertEqual(found.count, 1)
        // Cell 1's source starts on line 4; cell 2's declaration is on line 9.
        XCTAssertEqual(found.first?.line, 5)
        XCTAssertEqual(found.first?.column, 7)
        XCTAssertEqual(found.first?.message, "'laterCount' is declared by cell 'c2' (line 9), which runs after this one")
        XCTAssertEqual(found.first?.excerpt, "print(laterCount)\n      ^")
    }

    func testLaterFunctionsTypesAndReadsInsideBodiesAreRefused() throws {
        let found = try errors([
            "func early() -> Int { total * 2 }\nlet g = Gate()\nlet x: Counter? = nil\nhelper()",
            "let total = 3\nclass Gate {}\nstruct Counter {}\nfunc helper() {}",
        ])
        XCTAssertEqual(Set(found.map { $0.message.components(separatedBy: "'")[1] }), ["total", "Gate", "Counter", "helper"])
    }

    func testAnIsolatedCellMayNotReadALaterVariableEither() throws {
        let found = try errors(["print(count)", "let count = 1"], isolated: [0])
        XCTAssertEqual(found.count, 1)
    }

    func testNamesThatAreNotTheLaterGlobalAreAllowed() throws {
        let found = try errors([
            """
            func scaled(_ count: Int) -> Int { count * 2 }
            let values = [1, 2].map { count in count + 1 }
            for count in 0..<2 { print(count) }
            struct Box { var count = 0; func twice() -> Int { count * 2 } }
            let items = [1]
            print(items.count, \\Box.count)
            if let count = Optional(3) { print(count) }
            """,
            "let count = 7",
        ])
        XCTAssertEqual(found, [])
    }

    func testEarlierAndOwnDeclarationsAreAllowed() throws {
        XCTAssertEqual(try errors(["let a = 1", "let b = a + 1\nprint(b)", "func f() -> Int { a + b }\nprint(f())"]), [])
    }

    func testAMemberOfALibraryTypeIsAllowedOnlyWithSelf() throws {
        let found = try errors(["extension Tensor { func scaled() -> Int { rate } }", "let rate = 2"])
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].message.hasSuffix("(if you mean a member of 'Tensor', write 'self.rate')"), found[0].message)
        XCTAssertEqual(try errors(["extension Tensor { func scaled() -> Int { self.rate } }", "let rate = 2"]), [])
    }

    func testAMemberOfAChapterTypeIsAllowed() throws {
        let found = try errors(["class Gate { func run() -> Int { rate } }", "extension Gate { var rate: Int { 1 } }\nlet rate = 2"])
        XCTAssertEqual(found, [])
    }

    /// A skipped cell declares nothing: using its names is the compiler's "cannot find" error.
    func testASkippedCellDeclaresNothing() throws {
        let chapter = try ChapterParser.parse("# T\n\n```swift {#a}\nprint(later)\n```\n\n```swift {#b .norun}\nlet later = 1\n```\n",
                                              path: "x.md")
        XCTAssertEqual(CellOrderCheck.diagnostics(for: chapter, plans: CellPlan.plans(for: chapter, exercises: .none)), [])
    }
}
