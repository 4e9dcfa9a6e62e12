import XCTest
@testable import Notebook

final class CellTagsTests: XCTestCase {
    func testOwnGrammar() throws {
        XCTAssertEqual(try InfoStringParser.parse("swift {#rnn .save}"), .cell(id: "rnn", tags: CellTags(save: true)))
        XCTAssertEqual(try InfoStringParser.parse("swift {.exercise #ex1 .fails}"),
                       .cell(id: "ex1", tags: CellTags(expectedToFail: true, exercise: true)))
        XCTAssertEqual(try InfoStringParser.parse("swift {}"), .cell(id: nil, tags: CellTags()))
        XCTAssertEqual(try InfoStringParser.parse("swift {.norun}"), .cell(id: nil, tags: CellTags(noRun: true)))
    }

    func testD2LBookForm() throws {
        XCTAssertEqual(try InfoStringParser.parse("{.swift .input}"), .cell(id: nil, tags: CellTags()))
        XCTAssertEqual(try InfoStringParser.parse("{.python .input}"), .listing(language: "python"))
    }

    func testPlainFencesAreListings() throws {
        XCTAssertEqual(try InfoStringParser.parse("swift"), .listing(language: "swift"))
        XCTAssertEqual(try InfoStringParser.parse("text"), .listing(language: "text"))
        XCTAssertEqual(try InfoStringParser.parse(""), .listing(language: ""))
    }

    func testUnknownTagIsRejected() {
        XCTAssertThrowsError(try InfoStringParser.parse("swift {.sav}")) { error in
            XCTAssertEqual(error as? InfoStringParser.Problem, .unknownTag(".sav"))
        }
    }

    func testPlansFollowTags() throws {
        let chapter = try ChapterParser.parse("""
        ```swift {#a}
        1
        ```
        ```swift {#b .exercise}
        2
        ```
        ```swift {#c .fails}
        3
        ```
        ```swift {#d .norun}
        4
        ```
        """, path: "x.md")
        let plans = CellPlan.plans(for: chapter, exercises: .none)
        XCTAssertEqual(plans[0], .run)
        XCTAssertFalse(plans[1].runs)
        XCTAssertEqual(plans[2], .runIsolated)
        XCTAssertFalse(plans[3].runs)
        XCTAssertEqual(CellPlan.plans(for: chapter, exercises: .only(["b"]))[1], .runIsolated)
    }
}
