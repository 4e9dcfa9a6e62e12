import Foundation

/// Turns d2l's Markdown extensions into plain Markdown and inline HTML, line by line (so line
/// numbers stay put), outside code fences:
///
/// - `:label:`name`` becomes an anchor `name`;
/// - `:numref:`name`` becomes a link to that anchor when the chapter defines it, else the name
///   in words (the target lives in another chapter of the book);
/// - `(**...**)` and `[**...**]`, d2lbook's marks for what its compact edition keeps, become a
///   highlighted span;
/// - `:begin_tab:`x`` / `:end_tab:` open and close a block labelled with its framework.
///
/// Each line is read once, left to right, as UTF-8 bytes (every mark is ASCII), so the time is
/// linear in the text however many marks a line holds; names are HTML-escaped.
public enum D2LMarkdownExtensions {
    public static func rewrite(_ markdown: String) -> String { rewrite(markdown, alsoKnown: []) }

    private static func rewrite(_ markdown: String, alsoKnown knownLabels: Set<String>) -> String {
        let bytes = Array(markdown.utf8)
        let newline = UInt8(ascii: "\n")
        // Lines as byte ranges, and whether each is prose (outside any code fence).
        var lines: [(range: Range<Int>, prose: Bool)] = []
        var fence: CodeFence?
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: newline) ?? bytes.count
            let line = bytes[start..<end]
            if let open = fence {
                if open.isClosed(byBytes: line) { fence = nil }
                lines.append((start..<end, false))
            } else if let opened = CodeFence(openingBytes: line) {
                fence = opened
                lines.append((start..<end, false))
            } else {
                lines.append((start..<end, true))
            }
            start = end + 1
        }
        var labels: Set<String> = []
        for line in lines where line.prose {
            labels.formUnion(directiveArguments(label, in: bytes[line.range]))
        }
        return rewrite(bytes, lines: lines, labels: labels.union(knownLabels))
    }

    /// `markdown` rewritten as ``rewrite(_:)`` does, a part of a chapter whose other parts
    /// define `knownLabels` (a notebook's Markdown cell: `:numref:` links across cells).
    public static func rewrite(_ markdown: String, knownLabels: Set<String>) -> String {
        rewrite(markdown, alsoKnown: knownLabels)
    }

    /// The labels `markdown` defines with `:label:`, outside code fences.
    public static func labels(in markdown: String) -> Set<String> {
        var labels: Set<String> = []
        var fence: CodeFence?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)[...]
            if let open = fence {
                if open.isClosed(byBytes: bytes) { fence = nil }
            } else if let opened = CodeFence(openingBytes: bytes) {
                fence = opened
            } else {
                labels.formUnion(directiveArguments(label, in: bytes))
            }
        }
        return labels
    }

    private static func rewrite(_ bytes: [UInt8], lines: [(range: Range<Int>, prose: Bool)], labels: Set<String>) -> String {
        let newline = UInt8(ascii: "\n")
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        for (n, line) in lines.enumerated() {
            if n > 0 { output.append(newline) }
            if line.prose {
                rewrite(bytes[line.range], labels: labels, into: &output)
            } else {
                output += bytes[line.range]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func rewriteLine(_ line: String, labels: Set<String>) -> String {
        var output: [UInt8] = []
        rewrite(Array(line.utf8)[...], labels: labels, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static let label = Array(":label:`".utf8)
    private static let numref = Array(":numref:`".utf8)
    private static let beginTab = Array(":begin_tab:`".utf8)
    private static let endTab = Array(":end_tab:".utf8)
    private static let highlightOpeners = [Array("(**".utf8), Array("[**".utf8)]
    private static let highlightClosers = [Array("**)".utf8), Array("**]".utf8)]

    private static func rewrite(_ line: ArraySlice<UInt8>, labels: Set<String>, into output: inout [UInt8]) {
        var ticks = NextByte(UInt8(ascii: "`"))
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if c == UInt8(ascii: ":") {
                if let (name, next) = directive(label, in: line, at: i, ticks: &ticks) {
                    output += "<a id=\"\(HTMLEscaping.escape(name))\" class=\"label\"></a>".utf8
                    i = next
                    continue
                }
                if let (name, next) = directive(numref, in: line, at: i, ticks: &ticks) {
                    let replacement = labels.contains(name)
                        ? "<a href=\"#\(HTMLEscaping.escape(name))\" class=\"numref\">\(HTMLEscaping.escape(words(name)))</a>"
                        : "<span class=\"numref external\">\(HTMLEscaping.escape(words(name)))</span>"
                    output += replacement.utf8
                    i = next
                    continue
                }
                if let (name, next) = directive(beginTab, in: line, at: i, ticks: &ticks) {
                    output += "<div class=\"tab\" data-tab=\"\(HTMLEscaping.escape(name))\">".utf8
                    i = next
                    continue
                }
                if line[i...].starts(with: endTab) {
                    output += "</div>".utf8
                    i += endTab.count
                    continue
                }
            }
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "["), highlightOpeners.contains(where: { line[i...].starts(with: $0) }) {
                output += "<span class=\"d2l-highlight\">".utf8
                i += 3
                continue
            }
            if c == UInt8(ascii: "*"), highlightClosers.contains(where: { line[i...].starts(with: $0) }) {
                output += "</span>".utf8
                i += 3
                continue
            }
            output.append(c)
            i += 1
        }
    }

    /// `:directive:`name`` at `position`: the name and the index after its closing backtick.
    private static func directive(_ opener: [UInt8], in line: ArraySlice<UInt8>, at position: Int,
                                  ticks: inout NextByte) -> (String, Int)? {
        guard line[position...].starts(with: opener),
              let close = ticks.first(in: line, atOrAfter: position + opener.count) else { return nil }
        return (String(decoding: line[(position + opener.count)..<close], as: UTF8.self), close + 1)
    }

    /// The next index of a byte at or after a position that only grows: each byte is looked at
    /// once per line.
    private struct NextByte {
        let byte: UInt8
        var searchedFrom = Int.max
        var found: Int?

        init(_ byte: UInt8) { self.byte = byte }

        mutating func first(in line: ArraySlice<UInt8>, atOrAfter position: Int) -> Int? {
            if position >= searchedFrom, found.map({ $0 >= position }) ?? true { return found }
            let start = min(max(position, line.startIndex), line.endIndex)
            searchedFrom = position
            found = line[start...].firstIndex(of: byte)
            return found
        }
    }

    /// The arguments of every `:directive:`arg`` on the line.
    static func directiveArguments(_ directive: String, in line: String) -> [String] {
        directiveArguments(Array(":\(directive):`".utf8), in: Array(line.utf8)[...])
    }

    private static func directiveArguments(_ opener: [UInt8], in line: ArraySlice<UInt8>) -> [String] {
        var results: [String] = []
        var i = line.startIndex
        while i + opener.count <= line.endIndex {
            guard line[i] == opener[0], line[i...].starts(with: opener) else { i += 1; continue }
            let after = i + opener.count
            guard let end = line[after...].firstIndex(of: UInt8(ascii: "`")) else { break }
            results.append(String(decoding: line[after..<end], as: UTF8.self))
            i = end + 1
        }
        return results
    }

    /// A label in words: `sec_rnn-scratch` → "section rnn-scratch".
    static func words(_ label: String) -> String {
        let prefixes = [("sec_", "section "), ("subsec_", "section "), ("fig_", "figure "), ("eq_", "equation ")]
        for (prefix, word) in prefixes where label.hasPrefix(prefix) {
            return word + label.dropFirst(prefix.count).replacingOccurrences(of: "_", with: " ")
        }
        return label
    }
}
