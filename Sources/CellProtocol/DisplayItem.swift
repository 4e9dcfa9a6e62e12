/// A rich result that a cell shows, besides what it prints.
public enum DisplayItem: Codable, Equatable, Sendable {
    /// A line plot: named series of (x, y) points, drawn by the runner with gnuplot.
    case figure(Figure)
    /// A table with a header row.
    case table(Table)
    /// The outcome of a shape or length check.
    case check(Check)
    /// A tensor or any value's text form, shown like a notebook shows a cell's last value.
    case text(String)
}

/// A small table of results.
public struct Table: Codable, Equatable, Sendable {
    public var header: [String]
    public var rows: [[String]]
    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }
}

/// A passed shape or length check, shown in the page as a green line.
public struct Check: Codable, Equatable, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Why a cell failed, as the library phrases it.
public struct CellFailure: Codable, Equatable, Sendable {
    public var message: String
    public var file: String?
    public var line: Int?
    public init(message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
    }
}
