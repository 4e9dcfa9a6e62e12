import Foundation

/// Hides TeX maths from cmark, which would read `_x_` as emphasis and drop the backslash of
/// `\|`, and puts it back into the rendered HTML.
///
/// Each `$...$` or `$$...$$` span outside code becomes an alphanumeric placeholder; a display
/// span over several lines keeps its line breaks after the placeholder, so every later line
/// keeps its number.
public struct MathProtection: Equatable, Sendable {
    /// The Markdown with placeholders.
    public var protected: String
    /// The original spans, delimiters included, by placeholder order.
    public var spans: [String]

    static let marker = "D2LMATHSPAN"

    /// Finds the maths in `markdown`, skipping fenced code blocks and inline code.
    public init(_ markdown: String) {
        var output = ""
        var spans: [String] = []
        var fence: CodeFence?
        var pendingDisplay: (text: String, lines: Int)?
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            if pendingDisplay == nil {
                if let open = fence {
                    if open.isClosed(by: rawLine) { fence = nil }
                    output += line + "\n"
                    continue
                }
                if let opened = CodeFence(opening: rawLine) {
                    fence = opened
                    output += line + "\n"
                    continue
                }
            }
            var scanner = Array(line)
            var i = 0
            var lineOut = ""
            if var pending = pendingDisplay {
                // Inside a display span that began on an earlier line.
                if let close = MathProtection.find("$$", in: scanner, from: 0) {
                    pending.text += "\n" + String(scanner[..<(close + 2)])
                    spans.append(pending.text)
                    lineOut += MathProtection.placeholder(spans.count - 1) + String(repeating: "\n", count: pending.lines)
                    pendingDisplay = nil
                    i = close + 2
                } else {
                    pending.text += "\n" + line
                    pending.lines += 1
                    pendingDisplay = pending
                    continue
                }
            }
            while i < scanner.count {
                let c = scanner[i]
                if c == "\\" && i + 1 < scanner.count { lineOut.append(c); lineOut.append(scanner[i + 1]); i += 2; continue }
                if c == "`" {
                    // Copy an inline code span untouched.
                    var run = 0
                    while i + run < scanner.count && scanner[i + run] == "`" { run += 1 }
                    let ticks = String(repeating: "`", count: run)
                    if let close = MathProtection.find(ticks, in: scanner, from: i + run) {
                        lineOut += String(scanner[i..<(close + run)])
                        i = close + run
                    } else {
                        lineOut += ticks
                        i += run
                    }
                    continue
                }
                if c == "$" {
                    let isDisplay = i + 1 < scanner.count && scanner[i + 1] == "$"
                    let delimiter = isDisplay ? "$$" : "$"
                    if let close = MathProtection.find(delimiter, in: scanner, from: i + delimiter.count),
                       close > i + delimiter.count {
                        spans.append(String(scanner[i..<(close + delimiter.count)]))
                        lineOut += MathProtection.placeholder(spans.count - 1)
                        i = close + delimiter.count
                        continue
                    }
                    if isDisplay {
                        pendingDisplay = (String(scanner[i...]), 1)
                        scanner = []
                        break
                    }
                }
                lineOut.append(c)
                i += 1
            }
            if pendingDisplay != nil {
                output += lineOut
                continue
            }
            output += lineOut + "\n"
        }
        if let pending = pendingDisplay {
            // Unclosed display maths: leave the text as it was.
            output += pending.text + "\n"
        }
        // Every line, the last one too, was given a newline: the text has one fewer.
        if output.hasSuffix("\n") { output.removeLast() }
        self.protected = output
        self.spans = spans
    }

    static func placeholder(_ n: Int) -> String { "\(marker)\(n)X" }

    private static func find(_ needle: String, in characters: [Character], from start: Int) -> Int? {
        let pattern = Array(needle)
        var i = start
        while i + pattern.count <= characters.count {
            if characters[i] == "\\" { i += 2; continue }
            if Array(characters[i..<(i + pattern.count)]) == pattern { return i }
            i += 1
        }
        return nil
    }

    /// Puts the maths back into rendered HTML, HTML-escaped so the browser shows it as text
    /// for KaTeX to typeset.
    public func restore(in html: String) -> String {
        var result = html
        // Replace higher numbers first so that span 1 does not match inside span 12.
        for (n, span) in spans.enumerated().reversed() {
            result = result.replacingOccurrences(of: MathProtection.placeholder(n), with: HTMLEscaping.escape(span))
        }
        return result
    }
}
