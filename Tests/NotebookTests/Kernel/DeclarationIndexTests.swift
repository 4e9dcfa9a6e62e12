import XCTest
@testable import Notebook

final class DeclarationIndexTests: XCTestCase {
    func testTheIdentifierUnderTheCursorOrBeforeACallsParenthesis() {
        XCTAssertEqual(DeclarationIndex.identifier(in: "model.fit(data)", at: 3), "model")
        XCTAssertEqual(DeclarationIndex.identifier(in: "model.fit(data)", at: 9), "fit", "just after it")
        XCTAssertEqual(DeclarationIndex.identifier(in: "model.fit(data)", at: 10), "fit", "after its call's parenthesis")
        XCTAssertEqual(DeclarationIndex.identifier(in: "Trainer", at: 7), "Trainer")
        XCTAssertEqual(DeclarationIndex.identifier(in: "let é = 1", at: 5), "é")
        XCTAssertNil(DeclarationIndex.identifier(in: "1 + 2", at: 1), "a number is no name")
        XCTAssertNil(DeclarationIndex.identifier(in: "a + b", at: 2))
        XCTAssertNil(DeclarationIndex.identifier(in: "", at: 0))
    }

    func testCellsDeclarationsLatestFirstWithTheirHeadersAndDocComments() {
        var index = DeclarationIndex()
        index.add(source: """
            /// Doubles it.
            func double(_ x: Int) -> Int {
                x * 2
            }
            let x = 1
            """, origin: "cell 1")
        index.add(source: "let x = \"a\"\nvar long = [\(String(repeating: "1, ", count: 40))1]\n", origin: "cell 2")
        XCTAssertEqual(index.describe("double"), "func double(_ x: Int) -> Int    (cell 1)\nDoubles it.")
        XCTAssertEqual(index.describe("x"), "let x = \"a\"    (cell 2)\n\nlet x = 1    (cell 1)", "the latest first")
        XCTAssertTrue(index.describe("long")?.contains("…") ?? false, "a long value is cut")
        XCTAssertNil(index.describe("y"))
    }

    func testALibrarysPublicAPIWithInitialisersUnderTheTypesName() {
        var index = DeclarationIndex()
        index.add(source: """
            /// Trains a model.
            public final class Trainer {
                /// How many epochs.
                public var maxEpochs: Int
                var hidden = 0
                /// Makes a trainer.
                public init(maxEpochs: Int, gradientClipVal: Float = 0) { self.maxEpochs = maxEpochs }
                func helper() {}
            }
            extension Tensor {
                /// One-hot rows.
                public func oneHot(classes: Int) -> Tensor { self }
            }
            func internalOnly() {}
            """, origin: "D2LSwift, Trainer.swift", publicOnly: true)
        XCTAssertEqual(index.describe("Trainer"), """
            public init(maxEpochs: Int, gradientClipVal: Float = 0)    (D2LSwift, Trainer.swift, member of Trainer)
            Makes a trainer.

            public final class Trainer    (D2LSwift, Trainer.swift)
            Trains a model.
            """)
        XCTAssertEqual(index.describe("maxEpochs"), "public var maxEpochs: Int    (D2LSwift, Trainer.swift, member of Trainer)\nHow many epochs.")
        XCTAssertEqual(index.describe("oneHot"),
                       "public func oneHot(classes: Int) -> Tensor    (D2LSwift, Trainer.swift, member of Tensor)\nOne-hot rows.")
        XCTAssertNil(index.describe("hidden"))
        XCTAssertNil(index.describe("helper"))
        XCTAssertNil(index.describe("internalOnly"))
    }
}
