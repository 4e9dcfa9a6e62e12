/// Attributes compiler diagnostics to the cells whose lines they name.
struct CellDiagnostics {
    let chapter: Chapter
    let diagnostics: [Diagnostic]

    /// The cell holding a diagnostic's line, if it is in the chapter.
    func cell(of diagnostic: Diagnostic) -> Cell? {
        guard diagnostic.file == chapter.path else { return nil }
        return chapter.cells.first { $0.lines.contains(diagnostic.line) }
    }

    /// The first cell with an error; later cells cannot run.
    var firstFailingCell: Cell? {
        diagnostics.filter { $0.severity == .error }.compactMap(cell(of:)).min { $0.index < $1.index }
    }

    /// The diagnostics of each cell, as error outputs (errors) and standard-error text (warnings).
    func outputs(for cell: Cell) -> [CellOutput] {
        diagnostics.filter { self.cell(of: $0)?.index == cell.index && $0.severity != .note }.map { diagnostic in
            diagnostic.severity == .error
                ? .error(CellError(message: "error: " + diagnostic.message, file: diagnostic.file,
                                   line: diagnostic.line, column: diagnostic.column, details: diagnostic.excerpt))
                : .standardError(diagnostic.rendered + "\n")
        }
    }

    /// The outputs of `cell`, compiled alone into `compiled`, which failed: its diagnostics and,
    /// when none of them is an error at one of its lines, one error at the cell holding
    /// everything the compiler said (a link error, a crash of the compiler).
    func failedCompileOutputs(for cell: Cell, compiled: CompileResult) -> [CellOutput] {
        var outputs = outputs(for: cell)
        if !outputs.contains(where: { if case .error = $0 { return true } else { return false } }) {
            outputs.append(.error(CellError(message: "the cell did not compile", file: chapter.path, line: cell.line,
                                            details: (compiled.diagnostics.map(\.rendered) + [compiled.otherOutput]).joined(separator: "\n"))))
        }
        return outputs
    }
}
