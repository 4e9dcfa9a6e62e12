import CellProtocol
import Foundation
import SwiftParser
import SwiftSyntax
import XCTest
@testable import Notebook
import ProjectPaths

final class LiveCellProgramTests: XCTestCase {
    private let chapter = Chapter(path: "Chapters/c.md", blocks: [])

    private func generate(_ source: String, line: Int = 100, mainCells: [Cell] = []) -> String {
        LiveCellProgram.generate(source, cell: Cell(index: 9, id: "ex", source: source, line: line, tags: CellTags(exercise: true)),
                                 chapter: chapter, mainCells: mainCells)
    }

    /// The generated text before the entry point (file scope) and after it (its body).
    private func split(_ text: String) -> (fileScope: String, body: String) {
        guard let range = text.range(of: "@_cdecl(\"d2l_cell_9\") public func d2l_cell_9() {") else {
            XCTFail("no entry point in\n\(text)")
            return ("", "")
        }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    func testDeclarationsGoToFileScopeAndStatementsToTheBody() {
        let source = """
        /// Doubles a tensor.
        extension Tensor {
            func twice() -> Tensor { self * 2 }
        }
        // A box for the exercise.
        class Box { var value = 1 }
        func helper() -> Int { 3 }
        let n = helper()
        for i in 0..<n {
            print(Box().value + i)
        }
        """
        let (fileScope, body) = split(generate(source))
        XCTAssertTrue(fileScope.contains("/// Doubles a tensor.\nextension Tensor {\n    func twice() -> Tensor { self * 2 }\n}"),
                      "the doc comment stays attached to its extension:\n\(fileScope)")
        XCTAssertTrue(fileScope.contains("// A box for the exercise.\nclass Box { var value = 1 }\nfunc helper() -> Int { 3 }"))
        XCTAssertTrue(body.contains("let n = helper()\nfor i in 0..<n {\n    print(Box().value + i)\n}"))
        XCTAssertFalse(body.contains("extension"))
        XCTAssertFalse(body.contains("class Box"))
        XCTAssertFalse(fileScope.contains("let n"))
        XCTAssertFalse(body.contains("do {"), "nothing throws: no error handling")
    }

    func testFunctionsUsingCellVariablesStayLocalInPlace() {
        let source = """
        let scale: Float = 2
        func scaled(_ x: Float) -> Float { x * scale }
        func twiceScaled(_ x: Float) -> Float { scaled(x) * 2 }
        func member(_ s: Settings) -> Float { s.scale }
        print(scaled(1), twiceScaled(1))
        """
        let (fileScope, body) = split(generate(source))
        XCTAssertTrue(body.contains("let scale: Float = 2\nfunc scaled(_ x: Float) -> Float { x * scale }\nfunc twiceScaled(_ x: Float) -> Float { scaled(x) * 2 }\n"),
                      "a function using a cell variable, and one using it, stay local:\n\(body)")
        XCTAssertTrue(fileScope.contains("func member(_ s: Settings) -> Float { s.scale }"), "`.scale` is a member, not the variable")
        XCTAssertFalse(fileScope.contains("func scaled"))
        XCTAssertTrue(body.contains("print(scaled(1), twiceScaled(1))"))
    }

    func testEachChunkNamesItsMarkdownLine() {
        let source = "let a = 1\n\nstruct S {}\nprint(a)\n/// A T.\nstruct T {}; print(2)"
        let expected = """
        #sourceLocation(file: "Chapters/c.md", line: 102)
        struct S {}
        #sourceLocation()
        #sourceLocation(file: "Chapters/c.md", line: 104)
        /// A T.
        struct T {}; 
        #sourceLocation()
        @_cdecl("d2l_cell_9") public func d2l_cell_9() {
        #sourceLocation(file: "Chapters/c.md", line: 100)
        let a = 1

        #sourceLocation()
        #sourceLocation(file: "Chapters/c.md", line: 103)
        print(a)
        #sourceLocation()
        #sourceLocation(file: "Chapters/c.md", line: 105)
                     print(2)
        #sourceLocation()
        }

        """
        let text = generate(source)
        XCTAssertTrue(text.hasSuffix(expected), "got:\n\(text)")
    }

    func testChapterTypesAreAliasedUnlessTheCellRedeclaresThem() {
        let main = [
            Cell(index: 0, id: "a", source: "public class RNNScratch: Module {}\nstruct Pair { func inner() { struct Hidden {} } }", line: 3),
            Cell(index: 1, id: "b", source: "enum Mode { case a }\nprotocol Scorer {}\ntypealias Score = Float\nactor Counter {}\nlet x = 1", line: 9),
        ]
        let text = generate("struct Pair { var a = 1 }\nprint(Pair(), x)", mainCells: main)
        for name in ["RNNScratch", "Mode", "Scorer", "Score", "Counter"] {
            XCTAssertTrue(text.contains("\ntypealias \(name) = ChapterProgram.\(name)\n"), "no alias for \(name):\n\(text)")
        }
        XCTAssertFalse(text.contains("typealias Pair"), "the cell declares its own Pair")
        XCTAssertFalse(text.contains("Hidden"), "a nested type is not the chapter's top level")
        XCTAssertTrue(text.contains("import var ChapterProgram.x\n"))
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines[1...5]), ["@testable import ChapterProgram", "import CellProtocol", "import ChapterRuntime", "import D2LSwift", "import Foundation"])
    }

    func testChapterFunctionsAndExtensionMembersWinOverTheLibrary() {
        let main = [Cell(index: 0, id: "save", source: """
            public func clipGradients(_ gradClipVal: Float, _ model: Module) {}
            private func hidden() {}
            func +++(a: Int, b: Int) -> Int { a }
            extension Tensor {
                /// One-hot rows.
                public func oneHot(classes: Int) -> Tensor { self }
                @discardableResult static func make<T: Numeric>(_ x: T, into y: inout Int) throws -> Tensor { Tensor([1]) }
                var doubled: Tensor { get { self } set {} }
                func unused() {}
                func variadic(_ xs: Int...) {}
            }
            extension RNNLMScratch { func predict() {} }
            class RNNLMScratch {}
            """, line: 3)]
        let source = "var n = 0\nclipGradients(1, model)\n_ = x.oneHot(classes: 2)\n_ = try Tensor.make(1, into: &n).doubled\nx.variadic(1)\nx.predict()"
        let text = generate(source, mainCells: main)
        XCTAssertTrue(text.contains("\nimport func ChapterProgram.clipGradients\n"), text)
        XCTAssertFalse(text.contains("hidden"), "a private function is not visible to the cell")
        XCTAssertFalse(text.contains("+++"), "operators are not imported by name")
        XCTAssertTrue(text.contains("\nextension Tensor { func oneHot(classes: Int) -> Tensor { return self.ChapterProgram::oneHot(classes: classes) } }\n"), text)
        XCTAssertTrue(text.contains("\nextension Tensor { @discardableResult static func make<T: Numeric>(_ x: T, into y: inout Int) throws -> Tensor { return try Self.ChapterProgram::make(x, into: &y) } }\n"), text)
        XCTAssertTrue(text.contains("\nextension Tensor { var doubled: Tensor { get { self.ChapterProgram::doubled } set { self.ChapterProgram::doubled = newValue } } }\n"), text)
        XCTAssertFalse(text.contains("unused"), "only members the cell mentions are forwarded")
        XCTAssertFalse(text.contains("ChapterProgram::variadic"), "variadic arguments cannot be forwarded")
        XCTAssertFalse(text.contains("ChapterProgram::predict"), "a chapter type's members are reached through its typealias")

        let redeclaring = generate("extension Tensor { func oneHot(classes: Int) -> Tensor { self } }\n_ = x.oneHot(classes: 2)\nfunc clipGradients() {}", mainCells: main)
        XCTAssertFalse(redeclaring.contains("ChapterProgram::oneHot"), "the cell's own member wins")
        XCTAssertFalse(redeclaring.contains("import func ChapterProgram.clipGradients"), "the cell's own function wins")
    }

    func testTopLevelThrowsFailTheCellAtTheStatementsLine() {
        let text = generate("struct NotReady: Error {}\nfunc load() throws { throw NotReady() }\ntry load()\nlet y = try? load()\nprint(y as Any)")
        let (fileScope, body) = split(text)
        XCTAssertTrue(fileScope.contains("func load() throws { throw NotReady() }"))
        XCTAssertTrue(body.hasPrefix("\nvar _d2lLiveCellLine = 100\nfunc _d2lLiveCell() throws {\n_d2lLiveCellLine = 102\n#sourceLocation(file: \"Chapters/c.md\", line: 102)\ntry load()\n"), body)
        XCTAssertFalse(body.contains("_d2lLiveCellLine = 103"), "`try?` handles its own error")
        XCTAssertTrue(body.contains("CellRuntime.fail(\"Fatal error: Error raised at top level: \" + description, file: \"Chapters/c.md\", line: _d2lLiveCellLine)"))
    }

    func testGeneratedTextParses() {
        let main = [Cell(index: 0, id: "m", source: "class Model {}\nlet model = Model()\nextension Tensor { func f(_ a: Int) -> Int { a } }", line: 1)]
        let source = """
        /// Doc.
        extension Model { func g() -> Int { 1 } }
        import Glibc
        let values = [1, 2]
        func total() -> Int { values.reduce(0, +) }
        infix operator <+>
        func <+>(a: Int, b: Int) -> Int { a + b }
        let v = try compute(); print(v, total(), model.g(), Tensor([1]).f(2))
        if v > 0 { print("positive") }
        """
        let text = generate(source, mainCells: main)
        let tree = Parser.parse(source: text)
        XCTAssertFalse(tree.hasError, "syntax errors in:\n\(text)")
        XCTAssertTrue(text.contains("::f(a)"), "the forwarding member is part of what was parsed")
    }

    func testACellWithASyntaxErrorIsKeptAsWritten() {
        let source = "let x = (1,\nprint(x"
        let text = generate(source)
        XCTAssertTrue(text.contains("#sourceLocation(file: \"Chapters/c.md\", line: 100)\nlet x = (1,\nprint(x\n#sourceLocation()"), text)
        XCTAssertEqual(generate(""), generate(""), "an empty cell still yields a file")
        XCTAssertTrue(generate("").contains("public func d2l_cell_9() {\n}"))
    }

    // MARK: Compiled for real

    /// A tiny chapter program with a `.save`-like copy of D2LSwift's `clipGradients` and of a
    /// D2LSwift extension member, and a cell using them, compiled and run as `d2l-run serve`
    /// does: the cell library is loaded into the running program and its entry point called.
    func testACellCompilesAgainstTheChapterProgramAndRuns() throws {
        let toolchain = try Toolchain.locate(executablePath: Project.d2lRun.path)
        let folder = Project.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let chapter = Chapter(path: "Chapters/tiny.md", blocks: [])
        let mainCells = [
            Cell(index: 0, id: "save", source: """
                public func clipGradients(_ gradClipVal: Float, _ model: Module) { print("chapter clipGradients") }
                extension Tensor {
                    public func oneHot(classes: Int) -> Tensor { print("chapter oneHot"); return self }
                }
                public class RNNScratch: Module { public var numHiddens: Int { 32 } }
                """, line: 3),
            Cell(index: 1, id: "state", source: "let model = RNNScratch()\nvar data = [1, 2, 3]", line: 12),
        ]
        let program = """
            import D2LSwift
            import Foundation
            \(mainCells.map(\.source).joined(separator: "\n"))
            fflush(stdout)
            let library = dlopen(CommandLine.arguments[1], RTLD_NOW)!
            unsafeBitCast(dlsym(library, "\(CellMarker.cellEntrySymbol(2))")!, to: (@convention(c) () -> Void).self)()
            """
        try program.write(to: folder.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        let main = folder.appendingPathComponent("main.swift").path
        let modules = folder.appendingPathComponent("Modules").path
        try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
        try compile(toolchain, toolchain.liveModuleArguments(source: main, moduleDirectory: modules))
        let executable = folder.appendingPathComponent("program").path
        try compile(toolchain, toolchain.liveProgramArguments(source: main, output: executable))

        func runCell(_ source: String, line: Int) throws -> ChildProcess.Outcome {
            let cell = Cell(index: 2, id: "ex", source: source, line: line, tags: CellTags(exercise: true))
            let file = folder.appendingPathComponent("cell-\(line).swift").path
            try LiveCellProgram.generate(source, cell: cell, chapter: chapter, mainCells: mainCells)
                .write(toFile: file, atomically: true, encoding: .utf8)
            let library = folder.appendingPathComponent("cell-\(line).so").path
            try compile(toolchain, toolchain.liveCellArguments(source: file, moduleDirectory: modules, output: library))
            return try ChildProcess.run(executable, arguments: [library])
        }

        let uses = try runCell("""
            /// A variant of the chapter's layer.
            class Wider: RNNScratch { override var numHiddens: Int { 64 } }
            extension RNNScratch { func describe() -> String { "\\(numHiddens) hidden units, data \\(data)" } }
            clipGradients(1, model)
            _ = Tensor([0, 1]).oneHot(classes: 2)
            let extra = 4
            func withExtra() -> [Int] { data + [extra] }
            print(model.describe(), Wider().describe(), withExtra())
            """, line: 40)
        XCTAssertEqual(uses.status, 0, uses.standardError)
        XCTAssertEqual(uses.standardOutput, "chapter clipGradients\nchapter oneHot\n32 hidden units, data [1, 2, 3] 64 hidden units, data [1, 2, 3] [1, 2, 3, 4]\n")

        let throwing = try runCell("struct NotReady: Error {}\nfunc load() throws { throw NotReady() }\nprint(\"before\")\n\ntry load()", line: 60)
        XCTAssertEqual(throwing.status, 3, "CellRuntime.fail's exit status")
        XCTAssertEqual(throwing.standardOutput, "before\n")
        XCTAssertEqual(throwing.standardError, "Chapters/tiny.md:64: Fatal error: Error raised at top level: NotReady()\n")

        let broken = try? runCell("let a = 1\n\nlet b: Int = \"text\"", line: 80)
        XCTAssertNil(broken, "a type error must not compile")
        XCTAssertTrue(lastCompilerOutput.contains("Chapters/tiny.md:82:14: error: cannot convert value of type 'String'"),
                      lastCompilerOutput)
    }

    /// The chapter's real exercises compile as live cells against the real chapter program, and
    /// so does ex-sampling with its helper written as an extension of the chapter's model.
    func testTheChapterExercisesCompileAsLiveCells() throws {
        let toolchain = try Toolchain.locate(executablePath: Project.d2lRun.path)
        let folder = Project.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let chapter = try ChapterParser.parse(fileAt: Project.root.appendingPathComponent("Chapters/rnn-scratch.md").path)
        let plans = CellPlan.plans(for: chapter, exercises: .none)
        let main = folder.appendingPathComponent("main.swift").path
        try ProgramGenerator.generate(chapter, plans: plans).source.write(toFile: main, atomically: true, encoding: .utf8)
        let modules = folder.appendingPathComponent("Modules").path
        try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
        try compile(toolchain, toolchain.liveModuleArguments(source: main, moduleDirectory: modules))
        let mainCells = zip(chapter.cells, plans).filter { $0.1 == .run }.map(\.0)

        var sources: [(String, Cell)] = []
        for id in ["ex-sampling", "ex-history", "ex-one-hot-embedding", "ex-tuning"] {
            let cell = try XCTUnwrap(chapter.cells.first { $0.id == id })
            sources.append((cell.source, cell))
        }
        let sampling = sources[0].1
        let edited = sampling.source
            .replacingOccurrences(of: "func sample(_ model: RNNLMScratch, _ prefix: String", with: "extension RNNLMScratch {\nfunc sample(_ prefix: String")
            .replacingOccurrences(of: "model.rnn(model.oneHot(", with: "rnn(oneHot(")
            .replacingOccurrences(of: "model.outputLayer(", with: "outputLayer(")
            .replacingOccurrences(of: "\n}\ndisplay(", with: "\n}\n}\ndisplay(")
            .replacingOccurrences(of: "sample(model, \"it has\"", with: "model.sample(\"it has\"")
        XCTAssertNotEqual(edited, sampling.source)
        sources.append((edited, sampling))
        for (index, (source, cell)) in sources.enumerated() {
            let file = folder.appendingPathComponent("cell\(index).swift").path
            try LiveCellProgram.generate(source, cell: cell, chapter: chapter, mainCells: mainCells)
                .write(toFile: file, atomically: true, encoding: .utf8)
            let library = folder.appendingPathComponent("cell\(index).so").path
            XCTAssertNoThrow(try compile(toolchain, toolchain.liveCellArguments(source: file, moduleDirectory: modules, output: library)),
                             "\(cell.id) (\(index)): \(lastCompilerOutput)")
        }
    }

    private var lastCompilerOutput = ""

    private func compile(_ toolchain: Toolchain, _ arguments: [String]) throws {
        let outcome = try ChildProcess.run(toolchain.swiftc, arguments: arguments)
        lastCompilerOutput = outcome.standardError
        guard outcome.status == 0 else {
            throw ToolchainError("swiftc \(arguments.joined(separator: " ")) failed:\n\(outcome.standardError)")
        }
    }
}
