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
}
