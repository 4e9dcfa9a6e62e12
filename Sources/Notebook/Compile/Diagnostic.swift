/// One compiler message, located in the chapter.
public struct Diagnostic: Equatable, Sendable, Codable {
    public enum Severity: String, Equatable, Sendable, Codable { case error, warning, note }

    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    /// The offending source line and the caret line under it, as the compiler printed them.
    public var excerpt: String

    public init(file: String, line: Int, column: Int, severity: Severity, message: String, excerpt: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.excerpt = excerpt
    }

    /// `file:line:column: severity: message` and the excerpt.
    public var rendered: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message)" + (excerpt.isEmpty ? "" : "\n" + excerpt)
    }

    /// Reads swiftc's `-diagnostic-style=llvm` output; lines that are not diagnostics or their
    /// excerpts (driver noise) are dropped, and repeats are reported once.
    public static func parse(_ output: String) -> [Diagnostic] {
        var result: [Diagnostic] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if let diagnostic = parseHeader(String(line)) {
                result.append(diagnostic)
            } else if !result.isEmpty, !line.hasPrefix("error:"), !line.isEmpty {
                let last = result.count - 1
                result[last].excerpt += (result[last].excerpt.isEmpty ? "" : "\n") + line
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.rendered).inserted }
    }

    private static func parseHeader(_ line: String) -> Diagnostic? {
        for severity in [Severity.error, .warning, .note] {
            guard let marker = line.range(of: ": \(severity.rawValue): ") else { continue }
            let location = line[..<marker.lowerBound].split(separator: ":")
            guard location.count >= 3,
                  let lineNumber = Int(location[location.count - 2]),
                  let column = Int(location[location.count - 1]) else { continue }
            let file = location.dropLast(2).joined(separator: ":")
            return Diagnostic(file: file, line: lineNumber, column: column, severity: severity,
                              message: String(line[marker.upperBound...]))
        }
        return nil
    }
}
