import XCTest
@testable import Notebook

final class DiagnosticTests: XCTestCase {
    func testParsesLLVMStyleAndDropsDriverNoise() {
        let output = """
        error: emit-module command failed with exit code 1 (use -v to see invocation)
        Chapters/x.md:11:14: error: cannot convert value of type 'String' to specified type 'Int'
        let u: Int = "a"
                     ^~~
        Chapters/x.md:30:1: warning: variable 'v' was never mutated
        var v = 3
        ^~~
        Chapters/x.md:11:14: error: cannot convert value of type 'String' to specified type 'Int'
        let u: Int = "a"
                     ^~~
        """
        let diagnostics = Diagnostic.parse(output)
        XCTAssertEqual(diagnostics.count, 2)
        XCTAssertEqual(diagnostics[0].file, "Chapters/x.md")
        XCTAssertEqual(diagnostics[0].line, 11)
        XCTAssertEqual(diagnostics[0].column, 14)
        XCTAssertEqual(diagnostics[0].severity, .error)
        XCTAssertEqual(diagnostics[0].excerpt, "let u: Int = \"a\"\n             ^~~")
        XCTAssertEqual(diagnostics[1].severity, .warning)
    }

    /// Every compile asks swiftc to name expressions slow to type-check; the warning lands at
    /// the expression's line like any other.
    func testASlowExpressionIsNamedAtItsLine() throws {
        let toolchain = Toolchain(swiftc: "/usr/bin/swiftc", buildDirectory: "/b", moduleMapDirectories: [], dataDirectory: "/d")
        let arguments = toolchain.arguments(source: "main.swift", output: "p")
        let flag = try XCTUnwrap(arguments.firstIndex(of: "-warn-long-expression-type-checking=\(Toolchain.slowExpressionMilliseconds)"))
        XCTAssertEqual(arguments[flag - 1], "-Xfrontend")
        let warning = try XCTUnwrap(Diagnostic.parse("Chapters/x.md:7:9: warning: expression took 4200ms to type-check (limit: 1000ms)\n"
                                                     + "let r = zip(a, b).map { p, q in [p - q] }\n        ^~~~\n").first)
        XCTAssertEqual(warning.severity, .warning)
        XCTAssertEqual(warning.line, 7)
    }

    func testCompileFailureFindsCells() {
        let chapter = Chapter(path: "c.md", blocks: [
            .cell(Cell(index: 0, id: "a", source: "1\n2", line: 3)),
            .cell(Cell(index: 1, id: "b", source: "3", line: 8)),
        ])
        let failure = CellDiagnostics(chapter: chapter, diagnostics: [
            Diagnostic(file: "c.md", line: 8, column: 1, severity: .error, message: "boom"),
            Diagnostic(file: "c.md", line: 4, column: 1, severity: .warning, message: "meh"),
        ])
        XCTAssertEqual(failure.firstFailingCell?.id, "b")
        XCTAssertEqual(failure.outputs(for: chapter.cells[0]), [.standardError("c.md:4:1: warning: meh\n")])
    }
}
