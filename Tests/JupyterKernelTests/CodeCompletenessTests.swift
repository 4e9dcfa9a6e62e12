import JupyterKernel
import XCTest

final class CodeCompletenessTests: XCTestCase {
    func testCompleteCode() {
        for code in ["let x = 1", "print(\"hello\")", "func f() {\n    return\n}", "let a = [1, 2]\nlet b = a.map { $0 * 2 }",
                     "let s = \"\"\"\n  text\n  \"\"\"", "", "// a comment", "struct S { var x: Int }",
                     // A syntax error that more lines cannot mend: run it and let the compiler say why.
                     "let = 3\nprint(1)", "let x = )"] {
            XCTAssertEqual(CodeCompleteness(code: code), .complete, code)
        }
    }

    func testIncompleteCodeWithIndent() {
        let samples: [(String, String)] = [
            ("func f() {", "    "),
            ("for i in 0..<3 {\n    if i > 1 {", "        "),
            ("let a = [1,\n", "    "),
            ("print(1,", "    "),
            ("let s = \"\"\"\nline", ""),
            ("let x = 1 +", ""),
            ("let y =", ""),
        ]
        for (code, indent) in samples {
            XCTAssertEqual(CodeCompleteness(code: code), .incomplete(indent: indent), code)
        }
    }
}
