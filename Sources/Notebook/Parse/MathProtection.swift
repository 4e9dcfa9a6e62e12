import Foundation

/// Hides TeX maths from cmark, which would read `_x_` as emphasis and drop the backslash of
/// `\|`, and puts it back into the rendered HTML.
///
/// Each `$...$` or `$$...$$` span outside code becomes an alphanumeric placeholder; a display
/// span over several lines keeps its line breaks after the placeholder, so every later line
/// keeps its number.
///
/// The text is scanned as UTF-8 bytes (every delimiter is ASCII, which never occurs inside a
/// multi-byte character), in time linear in its length: a `$` or a run of backticks that
/// nothing closes does not make the rest of its line be scanned again for each one.
public struct MathProtection: Equatable, Sendable {
    /// The Markdown with placeholders.
    public var protected: String
    /// The original spans, delimiters included, by placeholder order.
    public var spans: [String]
    /// The placeholders' prefix: `D2LMATHSPAN`, with `Q`s added until the text does not contain
    /// it, so text that happens to look like a placeholder is left alone.
    public var marker: String

    static let baseMarker = "D2LMATHSPAN"

    /// Finds the maths in `markdown`, skipping fenced code blocks and inline code. Line breaks
    /// are `\n` (``ChapterParser`` normalises them first).
    public init(_ markdown: String) {
        let bytes = Array(markdown.utf8)
        var marker = MathProtection.baseMarker
        while bytes.contains(subsequence: Array(marker.utf8)) { marker += "Q" }
        let newline = UInt8(ascii: "\n"), dollar = UInt8(ascii: "$"), backtick = UInt8(ascii: "`")
        let backslash = UInt8(ascii: "\\")

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        var spans: [String] = []
        var fence: CodeFence?
        // A display span that began on an earlier line: its first byte and its line count.
        var pending: (start: Int, lines: Int)?
        func placeholder(_ n: Int) -> [UInt8] { Array("\(marker)\(n)X".utf8) }

        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: newline) ?? bytes.count
            let line = bytes[lineStart..<lineEnd]
            defer { lineStart = lineEnd + 1 }
            if pending == nil {
                if let open = fence {
                    if open.isClosed(byBytes: line) { fence = nil }
                    output += line
                    output.append(newline)
                    continue
                }
                if let opened = CodeFence(openingBytes: line) {
                    fence = opened
                    output += line
                    output.append(newline)
                    continue
                }
            }
            var i = lineStart
            var lineOut: [UInt8] = []
            if let open = pending {
                // Inside a display span that began on an earlier line.
                guard let close = MathProtection.find(dollar, count: 2, in: bytes, from: lineStart, to: lineEnd) else {
                    pending = (open.start, open.lines + 1)
                    continue
                }
                spans.append(String(decoding: bytes[open.start..<(close + 2)], as: UTF8.self))
                lineOut += placeholder(spans.count - 1)
                lineOut += repeatElement(newline, count: open.lines)
                pending = nil
                i = close + 2
            }
            var runs: BacktickRuns?
            // Set once a `$` found no closing `$` on this line: no later one will either.
            var noClosingDollar = false
            while i < lineEnd {
                let c = bytes[i]
                if c == backslash && i + 1 < lineEnd {
                    lineOut.append(c)
                    lineOut.append(bytes[i + 1])
                    i += 2
                    continue
                }
                if c == backtick {
                    // Copy an inline code span untouched: it ends at the next run of exactly as
                    // many backticks (CommonMark); an unmatched run is literal backticks.
                    var run = 0
                    while i + run < lineEnd && bytes[i + run] == backtick { run += 1 }
                    let lineRuns = runs ?? BacktickRuns(bytes, lineStart..<lineEnd)
                    runs = lineRuns
                    if let close = lineRuns.first(ofLength: run, atOrAfter: i + run) {
                        lineOut += bytes[i..<(close + run)]
                        i = close + run
                    } else {
                        lineOut += bytes[i..<(i + run)]
                        i += run
                    }
                    continue
                }
                if c == dollar && !noClosingDollar {
                    let isDisplay = i + 1 < lineEnd && bytes[i + 1] == dollar
                    let count = isDisplay ? 2 : 1
                    if let close = MathProtection.find(dollar, count: count, in: bytes, from: i + count, to: lineEnd),
                       close > i + count {
                        spans.append(String(decoding: bytes[i..<(close + count)], as: UTF8.self))
                        lineOut += placeholder(spans.count - 1)
                        i = close + count
                        continue
                    }
                    if isDisplay {
                        pending = (i, 1)
                        break
                    }
                    noClosingDollar = true
                }
                lineOut.append(c)
                i += 1
            }
            output += lineOut
            if pending == nil { output.append(newline) }
        }
        if let open = pending {
            // Unclosed display maths: leave the text as it was.
            output += bytes[open.start...]
            output.append(newline)
        }
        // Every line, the last one too, was given a newline: the text has one fewer.
        if output.last == newline { output.removeLast() }
        self.protected = String(decoding: output, as: UTF8.self)
        self.spans = spans
        self.marker = marker
    }

    func placeholder(_ n: Int) -> String { "\(marker)\(n)X" }

    /// The first index in `from..<end` where `count` copies of `byte` start, stepping over
    /// backslash escapes.
    private static func find(_ byte: UInt8, count: Int, in bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        var i = start
        while i + count <= end {
            if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == byte && (count == 1 || bytes[i + 1] == byte) { return i }
            i += 1
        }
        return nil
    }

    /// A line's maximal runs of backticks, by length, for finding where a code span closes.
    private struct BacktickRuns {
        var startsByLength: [Int: [Int]] = [:]

        init(_ bytes: [UInt8], _ range: Range<Int>) {
            var i = range.lowerBound
            while i < range.upperBound {
                guard bytes[i] == UInt8(ascii: "`") else { i += 1; continue }
                var run = 0
                while i + run < range.upperBound && bytes[i + run] == UInt8(ascii: "`") { run += 1 }
                startsByLength[run, default: []].append(i)
                i += run
            }
        }

        /// The start of the first run of exactly `length` backticks at or after `position`.
        func first(ofLength length: Int, atOrAfter position: Int) -> Int? {
            guard let starts = startsByLength[length] else { return nil }
            var low = 0, high = starts.count
            while low < high {
                let middle = (low + high) / 2
                if starts[middle] < position { low = middle + 1 } else { high = middle }
            }
            return low < starts.count ? starts[low] : nil
        }
    }

    /// Puts the maths back into rendered HTML, HTML-escaped so the browser shows it as text
    /// for KaTeX to typeset. One pass over `html`: each `<marker><n>X` with a known `n` becomes
    /// span `n`; anything else is copied as it is.
    public func restore(in html: String) -> String {
        guard !spans.isEmpty else { return html }
        let text = Array(html.utf8)
        let pattern = Array(marker.utf8)
        guard text.count >= pattern.count else { return html }
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var copied = 0
        var i = 0
        while i + pattern.count <= text.count {
            guard text[i] == pattern[0], text[i..<(i + pattern.count)].elementsEqual(pattern) else {
                i += 1
                continue
            }
            var j = i + pattern.count
            var n = 0
            var digits = 0
            while j < text.count, let digit = text[j].asciiDigit, digits < 18 {
                n = n * 10 + digit
                digits += 1
                j += 1
            }
            guard digits > 0, j < text.count, text[j] == UInt8(ascii: "X"), n < spans.count else {
                i += 1
                continue
            }
            result += text[copied..<i]
            result += HTMLEscaping.escape(spans[n]).utf8
            i = j + 1
            copied = i
        }
        result += text[copied...]
        return String(decoding: result, as: UTF8.self)
    }
}

private extension UInt8 {
    var asciiDigit: Int? { (0x30...0x39).contains(self) ? Int(self - 0x30) : nil }
}

fileprivate extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the array (a plain scan; needles here are a dozen bytes).
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= count else { return needle.isEmpty }
        var i = 0
        while i + needle.count <= count {
            if self[i] == first && self[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

