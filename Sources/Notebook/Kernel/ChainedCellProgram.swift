import CellProtocol
import SwiftParser
import SwiftSyntax

/// The Swift file of one kernel cell (`d2l-run kernel`): a library module `Cell_N` that sees
/// everything the kernel's earlier cells declared.
///
/// The file starts `@_exported import` of the previous successful cell's module (the first
/// cell: the base program's, which re-exports D2LSwift and Foundation): each module shadows
/// the ones it re-exports, so a name declared again (`let x = 1`, later `let x = "a"`) means
/// the latest declaration, as in Jupyter. Then, each framed by `#sourceLocation` so that
/// diagnostics and crash reports name the cell's own lines:
///
/// - the cell's declarations at file scope, in order: types, extensions, functions, and its
///   top-level `let`/`var`s, which become the module's globals. Two rewrites make every such
///   declaration a valid global: a variable without an initialiser (`var n: Int`) becomes a
///   computed variable over optional storage, and a throwing initialiser (`let x = try f()`)
///   is wrapped so that an error ends the cell at its line;
/// - the entry point `@_cdecl` ``CellMarker.cellEntrySymbol(_:)``, which runs the cell's
///   statements in order and touches each global (`_ = x`) where it is declared: a library's
///   globals are initialised lazily, at first use, and a cell's must be in cell order. The
///   last statement, when it is an expression (not an assignment), is shown as the cell's
///   value unless it is `()`.
///
/// `import D2LSwift` in a cell is dropped: a direct import of a module the chain re-exports
/// would make a redeclared name ambiguous. Known difference from a chapter program: names a
/// top-level `guard let` binds stay local to its cell's statements.
public enum ChainedCellProgram {
    /// The module name of kernel cell `index`.
    public static func moduleName(_ index: Int) -> String { "Cell_\(index)" }

    /// The file name diagnostics and crash reports give for kernel cell `index`'s lines.
    public static func fileName(_ index: Int) -> String { "cell-\(index)" }

    /// The module the first cell imports: the kernel's base program.
    public static let baseModule = "ChapterProgram"

    /// The file for `source` as kernel cell `index`, after the module `previousModule`.
    /// What wraps a cell's last expression to show its value.
    static let shownValuePrefix = "CellRuntime.showCellValue("

    /// The compiler's `diagnostics` of a cell generated from `source`, as the cell's author
    /// wrote it: a diagnostic in the wrapped last expression at the author's column, quoting the
    /// author's line; and without the warnings only the chain makes (a conformance declared in
    /// a later cell's extension is "retroactive" between two cell modules, not in one program).
    static func diagnosticsAsWritten(_ diagnostics: [Diagnostic], source: String) -> [Diagnostic] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return diagnostics.compactMap { diagnostic in
            if diagnostic.severity == .warning, diagnostic.message.contains("if the owners of 'Cell_") { return nil }
            var excerpt = diagnostic.excerpt.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let quoted = excerpt.first, let prefix = quoted.range(of: shownValuePrefix),
                  diagnostic.line >= 1, diagnostic.line <= lines.count else { return diagnostic }
            var mapped = diagnostic
            let start = quoted.distance(from: quoted.startIndex, to: prefix.lowerBound)
            if mapped.column - 1 >= start + shownValuePrefix.count { mapped.column -= shownValuePrefix.count }
            excerpt[0] = lines[mapped.line - 1]
            for (position, marks) in excerpt.enumerated().dropFirst() where marks.count > start {
                // The caret and squiggle under the wrapper's text move left with it.
                let cut = marks.index(marks.startIndex, offsetBy: start)
                let end = marks.index(cut, offsetBy: min(shownValuePrefix.count, marks.count - start))
                let removed = marks[cut..<end]
                excerpt[position] = removed.allSatisfy({ $0 == " " }) ? String(marks[..<cut] + marks[end...]) : marks
            }
            mapped.excerpt = excerpt.joined(separator: "\n")
            return mapped
        }
    }

    public static func generate(_ source: String, index: Int, previousModule: String) -> String {
        let declarations = CellDeclarations(source)
        let statements = Array(declarations.tree.statements)
        let items = declarations.items
        let bytes = Array(source.utf8)
        let converter = SourceLocationConverter(fileName: "", tree: declarations.tree)
        let file = ProgramGenerator.swiftStringLiteral(fileName(index))
        func line(of position: AbsolutePosition) -> Int { converter.location(for: position).line }

        func chunk(_ item: CellDeclarations.Item, edits: [TextEdit] = []) -> [String] {
            var text = Array(bytes[item.start..<item.end])
            for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                text.replaceSubrange((edit.range.lowerBound - item.start)..<(edit.range.upperBound - item.start),
                                     with: Array(edit.replacement.utf8))
            }
            var body = String(decoding: text, as: UTF8.self)
            if body.hasSuffix("\n") { body.removeLast() }
            return ["#sourceLocation(file: \(file), line: \(item.line + 1))",
                    String(repeating: " ", count: item.column) + body,
                    "#sourceLocation()"]
        }

        var fileScope: [String] = []
        var body: [String] = []
        var throwsAtTopLevel = false
        let lastValue = statements.last.flatMap { $0.item.as(ExprSyntax.self) }.flatMap { isShownValue($0) ? $0 : nil }
        for (item, statement) in zip(items, statements) {
            if let decl = statement.item.as(DeclSyntax.self) {
                if let imported = decl.as(ImportDeclSyntax.self), isReexported(imported) { continue }
                guard let variable = decl.as(VariableDeclSyntax.self) else {
                    fileScope += chunk(item)
                    continue
                }
                let global = globalVariable(variable, file: file, line: line(of:))
                fileScope += chunk(item, edits: global.edits)
                body += global.initialisedNames.map { "_ = \($0.escapedIdentifier)" }
            } else {
                var edits: [TextEdit] = []
                if let value = lastValue, statement.item.id == value.id {
                    let start = value.positionAfterSkippingLeadingTrivia.utf8Offset
                    let end = value.endPositionBeforeTrailingTrivia.utf8Offset
                    edits.append(TextEdit(range: start..<end,
                                          replacement: "\(shownValuePrefix)\(value.trimmedDescription))"))
                }
                if item.throwsAtTopLevel {
                    throwsAtTopLevel = true
                    body.append("\(lineVariable) = \(line(of: statement.positionAfterSkippingLeadingTrivia))")
                }
                body += chunk(item, edits: edits)
            }
        }

        let symbol = CellMarker.cellEntrySymbol(index)
        var lines = [
            "// Generated by d2l-run kernel: cell \(index). Edit the cell, not this file.",
            "@_exported import \(previousModule)",
        ]
        lines += fileScope
        lines.append("@_cdecl(\"\(symbol)\") public func \(symbol)() {")
        if throwsAtTopLevel {
            lines += ["var \(lineVariable) = 1", "do {"] + body + [
                "} catch {",
                "CellRuntime.failAtTopLevel(error, file: \(file), line: \(lineVariable))",
                "}",
            ]
        } else {
            lines += body
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static let lineVariable = "_d2lCellLine"

    /// A replacement of the source's UTF-8 bytes in `range`.
    struct TextEdit {
        var range: Range<Int>
        var replacement: String
    }

    /// A top-level `let`/`var` as a global: the edits that make it one, and the names whose
    /// initialisers the entry point must run in order.
    static func globalVariable(_ variable: VariableDeclSyntax, file: String,
                               line: (AbsolutePosition) -> Int) -> (edits: [TextEdit], initialisedNames: [String]) {
        var initialised: [String] = []
        func value(_ initializer: InitializerClauseSyntax) -> String {
            let finder = TopLevelThrowFinder(viewMode: .sourceAccurate)
            finder.walk(initializer.value)
            guard finder.found else { return initializer.value.trimmedDescription }
            return "CellRuntime.chainedInitializer(file: \(file), line: \(line(initializer.value.positionAfterSkippingLeadingTrivia)))"
                + " { \(initializer.value.trimmedDescription) }"
        }
        let needsStorage = variable.bindings.contains { $0.initializer == nil && $0.accessorBlock == nil }
        if !needsStorage {
            var edits: [TextEdit] = []
            for binding in variable.bindings {
                guard let initializer = binding.initializer else { continue }
                initialised += binding.pattern.boundNames
                let rewritten = value(initializer)
                if rewritten != initializer.value.trimmedDescription {
                    edits.append(TextEdit(range: initializer.value.positionAfterSkippingLeadingTrivia.utf8Offset
                                            ..< initializer.value.endPositionBeforeTrailingTrivia.utf8Offset,
                                          replacement: rewritten))
                }
            }
            return (edits, initialised)
        }
        // One declaration per binding, on one line: `var a: Int, b = 2` declares `a` without a value.
        let prefix = [variable.attributes.trimmedDescription, variable.modifiers.trimmedDescription]
            .filter { !$0.isEmpty }.map { $0 + " " }.joined()
        var declarations: [String] = []
        for binding in variable.bindings {
            let pattern = binding.pattern.trimmedDescription
            let type = binding.typeAnnotation?.trimmedDescription ?? ""
            if let initializer = binding.initializer {
                initialised += binding.pattern.boundNames
                declarations.append("\(prefix)\(variable.bindingSpecifier.text) \(pattern)\(type) = \(value(initializer))")
            } else if binding.accessorBlock != nil {
                declarations.append("\(prefix)var \(binding.trimmedDescription)")
            } else if let annotation = binding.typeAnnotation {
                // A global needs a value: the variable reads storage that holds none until assigned.
                let storage = "_d2lStorage_\(binding.pattern.boundNames.first ?? "value")"
                let valueType = annotation.type.trimmedDescription
                declarations.append("\(prefix)var \(storage): (\(valueType))? = nil; \(prefix)var \(pattern): \(valueType)"
                                    + " { get { \(storage)! } set { \(storage) = newValue } }")
            } else {
                declarations.append("\(prefix)\(variable.bindingSpecifier.text) \(binding.trimmedDescription)")
            }
        }
        let range = variable.positionAfterSkippingLeadingTrivia.utf8Offset ..< variable.endPositionBeforeTrailingTrivia.utf8Offset
        return ([TextEdit(range: range, replacement: declarations.joined(separator: "; "))], initialised)
    }

    /// Whether `expression`, the cell's last statement, has a value to show: not an assignment
    /// (`x = 1`, `x += 1`), not a call that never returns.
    static func isShownValue(_ expression: ExprSyntax) -> Bool {
        let assignments: Set<String> = ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&+=", "&-=", "&*="]
        if let sequence = expression.as(SequenceExprSyntax.self) {
            for element in sequence.elements {
                if element.is(AssignmentExprSyntax.self) { return false }
                if let op = element.as(BinaryOperatorExprSyntax.self), assignments.contains(op.operator.text) { return false }
            }
        }
        if let infix = expression.as(InfixOperatorExprSyntax.self) {
            if infix.operator.is(AssignmentExprSyntax.self) { return false }
            if let op = infix.operator.as(BinaryOperatorExprSyntax.self), assignments.contains(op.operator.text) { return false }
        }
        if let call = expression.as(FunctionCallExprSyntax.self),
           let callee = call.calledExpression.as(DeclReferenceExprSyntax.self),
           ["fatalError", "preconditionFailure", "exit", "abort"].contains(callee.baseName.text) {
            return false
        }
        return true
    }

    /// Whether `decl` imports a module every cell already sees through the chain.
    private static func isReexported(_ decl: ImportDeclSyntax) -> Bool {
        guard decl.importKindSpecifier == nil, let module = decl.path.first?.name.text else { return false }
        return module == "D2LSwift" || module == baseModule || module.hasPrefix("Cell_")
    }
}
