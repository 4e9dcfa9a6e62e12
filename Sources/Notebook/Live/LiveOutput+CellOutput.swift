import CellProtocol

extension LiveOutput {
    /// The API form of a cell's outputs; figures take their drawn SVGs in order.
    public static func outputs(_ outputs: [CellOutput], figures: [FigureRenderer.Rendered]) -> [LiveOutput] {
        var figureQueue = figures[...]
        return outputs.compactMap { output in
            switch output {
            case let .standardOutput(text): return LiveOutput(type: "stdout", text: text)
            case let .standardError(text): return LiveOutput(type: "stderr", text: text)
            case let .error(error):
                return LiveOutput(type: "error", text: error.headline, file: error.file, line: error.line,
                                  column: error.column, details: error.details)
            case let .display(item):
                switch item {
                case let .text(text): return LiveOutput(type: "text", text: text)
                case let .check(check): return LiveOutput(type: "check", text: check.description)
                case let .table(table): return LiveOutput(type: "table", header: table.header, rows: table.rows)
                case .figure:
                    guard let figure = figureQueue.popFirst() else { return nil }
                    return LiveOutput(type: "figure", svg: figure.svg, name: figure.name)
                }
            }
        }
    }
}
