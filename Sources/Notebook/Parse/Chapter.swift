/// A parsed chapter: prose and code cells in document order, each knowing its Markdown line.
///
/// This is the value the parse stage hands to code generation and weaving; tests build it by
/// hand.
public struct Chapter: Equatable, Sendable {
    /// The chapter's path as given on the command line; diagnostics name it.
    public var path: String
    /// Prose and code, in order.
    public var blocks: [Block]

    public init(path: String, blocks: [Block]) {
        self.path = path
        self.blocks = blocks
    }

    /// The code cells that are Swift to run, in order.
    public var cells: [Cell] {
        blocks.compactMap { if case let .cell(cell) = $0 { return cell } else { return nil } }
    }
}

/// One piece of a chapter.
public enum Block: Equatable, Sendable {
    /// Prose: its Markdown source, and the HTML rendered from it (maths restored, d2l's
    /// extensions handled).
    case prose(html: String, markdown: String, line: Int)
    /// A code block that is shown but not run (other languages, plain `swift` fences).
    case listing(code: String, language: String, line: Int)
    /// A Swift cell to run.
    case cell(Cell)
}

/// A runnable Swift cell.
public struct Cell: Equatable, Sendable {
    /// The position among the chapter's cells, from 0: the protocol's cell number.
    public var index: Int
    /// The cell's id: given with `#id`, else `cell-<index+1>`.
    public var id: String
    /// The Swift source, without the fences.
    public var source: String
    /// The Markdown line of the source's first line (the line after the opening fence).
    public var line: Int
    /// The cell's tags.
    public var tags: CellTags

    public init(index: Int, id: String, source: String, line: Int, tags: CellTags = CellTags()) {
        self.index = index
        self.id = id
        self.source = source
        self.line = line
        self.tags = tags
    }

    /// The Markdown lines the source occupies.
    public var lines: ClosedRange<Int> {
        line...(line + max(source.split(separator: "\n", omittingEmptySubsequences: false).count - 1, 0))
    }
}
