import XCTest
@testable import Notebook

/// The kernel cell's generated file: globals at file scope touched in order, statements in the
/// entry, the last expression shown, the chain's import.
final class ChainedCellProgramTests: XCTestCase {
    private func generate(_ source: String, index: Int = 3, previous: String = "Cell_2") -> String {
        ChainedCellProgram.generate(source, index: index, previousModule: previous)
    }

    /// The lines of the generated file that are not `#sourceLocation` frames.
    private func code(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#sourceLocation") && !$0.hasPrefix("//") }
    }

    func testImportsOnlyThePreviousModuleAndDropsDirectImportsOfTheChain() {
        let text = generate("import D2LSwift\nimport Glibc\nlet x = 1\n")
        XCTAssertTrue(text.contains("@_exported import Cell_2\n"), text)
        XCTAssertFalse(text.contains("import D2LSwift"), text)
        XCTAssertTrue(text.contains("import Glibc"), text)
        XCTAssertEqual(generate("let x = 1", index: 1, previous: ChainedCellProgram.baseModule)
                        .contains("@_exported import ChapterProgram\n"), true)
    }

    func testGlobalsAreDeclaredAtFileScopeAndTouchedInOrderAmongStatements() {
        let text = code(generate("var model = 1\nprint(model)\nmodel += 1\nlet (a, b) = (model, 2)\nprint(a)\n"))
        let entry = text.firstIndex { $0.hasPrefix("@_cdecl(\"d2l_cell_3\") public func d2l_cell_3()") }!
        XCTAssertEqual(Array(text[..<entry]), ["@_exported import Cell_2", "var model = 1", "let (a, b) = (model, 2)"])
        XCTAssertEqual(Array(text[(entry + 1)...]), ["_ = model", "print(model)", "model += 1", "_ = a", "_ = b",
                                                 "CellRuntime.showCellValue(print(a))", "}"],
                       "a call's value is shown unless it is (), which only the run can tell")
    }

    func testSourceLocationsNameTheCellLines() {
        let text = generate("let x = 1\n\nprint(x)\n", index: 7)
        XCTAssertTrue(text.contains("#sourceLocation(file: \"cell-7\", line: 1)\nlet x = 1\n"), text)
        XCTAssertTrue(text.contains("#sourceLocation(file: \"cell-7\", line: 3)\nCellRuntime.showCellValue(print(x))"), text)
    }

    func testLastExpressionIsShownButNotAnAssignmentOrAStatement() {
        XCTAssertTrue(generate("let x = 1\nx + 1\n").contains("CellRuntime.showCellValue(x + 1)"))
        XCTAssertTrue(generate("let t = [1, 2]\nt\n  .count").contains("CellRuntime.showCellValue(t\n  .count)"))
        XCTAssertFalse(generate("var x = 1\nx = 2\n").contains("showCellValue"))
        XCTAssertFalse(generate("var x = 1\nx += 2\n").contains("showCellValue"))
        XCTAssertFalse(generate("for i in 0..<2 { print(i) }\n").contains("showCellValue"))
        XCTAssertFalse(generate("let x = 1\n").contains("showCellValue"), "a declaration has no value")
        XCTAssertFalse(generate("fatalError(\"no\")\n").contains("showCellValue"))
        XCTAssertEqual(generate("1\n2\n").components(separatedBy: "showCellValue").count, 2, "only the last one")
    }

    func testVariableWithoutInitialiserGetsStorageAndIsNotTouched() {
        let text = code(generate("var n: Int\nn = 3\nprint(n)\n"))
        XCTAssertTrue(text.contains("var _d2lStorage_n: (Int)? = nil; var n: Int { get { _d2lStorage_n! } set { _d2lStorage_n = newValue } }"),
                      text.joined(separator: "\n"))
        XCTAssertFalse(text.contains("_ = n"))
    }

    func testThrowingInitialiserAndStatementsEndTheCellAtTheirLine() {
        let text = generate("struct E: Error {}\nfunc f() throws -> Int { throw E() }\nlet x = try f()\ntry print(f())\n")
        XCTAssertTrue(text.contains("let x = CellRuntime.chainedInitializer(file: \"cell-3\", line: 3) { try f() }"), text)
        XCTAssertTrue(text.contains("_d2lCellLine = 4"), text)
        XCTAssertTrue(text.contains("CellRuntime.failAtTopLevel(error, file: \"cell-3\", line: _d2lCellLine)"), text)
        XCTAssertFalse(generate("let x = try? Int(\"1\")\n").contains("chainedInitializer"), "try? handles its error")
    }

    func testRedeclarationIsAPlainDeclarationInTheLaterModule() {
        let first = code(generate("let x = 1\n", index: 1, previous: ChainedCellProgram.baseModule))
        let second = code(generate("let x = \"a\"\nx\n", index: 2, previous: "Cell_1"))
        XCTAssertTrue(first.contains("let x = 1"))
        XCTAssertTrue(second.contains("let x = \"a\""))
        XCTAssertTrue(second.contains("@_exported import Cell_1"))
        XCTAssertTrue(second.contains("CellRuntime.showCellValue(x)"))
    }

    /// An error in the cell's last expression, which the generator wraps to show its value, is
    /// reported at the author's column quoting the author's line; the chain's own warnings go.
    func testDiagnosticsAreReportedAsTheAuthorWroteTheCell() {
        let source = "let a = 1\nprint(spins)"
        let wrapped = Diagnostic(file: "cell", line: 2, column: 33, severity: .error, message: "cannot find 'spins' in scope",
                                 excerpt: "CellRuntime.showCellValue(print(spins))\n                                ^~~~~")
        let retroactive = Diagnostic(file: "cell", line: 1, column: 1, severity: .warning,
                                     message: "extension declares a conformance of imported type 'RNNScratch' to imported protocol "
                                         + "'RecurrentLayer'; this will not behave correctly if the owners of 'Cell_1' introduce this conformance in the future")
        let plain = Diagnostic(file: "cell", line: 1, column: 9, severity: .error, message: "m", excerpt: "let a = 1\n        ^")
        let mapped = ChainedCellProgram.diagnosticsAsWritten([wrapped, retroactive, plain], source: source)
        XCTAssertEqual(mapped.count, 2)
        XCTAssertEqual(mapped[0].column, 7)
        XCTAssertEqual(mapped[0].excerpt, "print(spins)\n      ^~~~~")
        XCTAssertEqual(mapped[1], plain)
    }
}
