import Foundation

/// A chapter file's bytes cut into lines the way cmark cuts them: a line ends at `\n`, `\r\n`
/// or a lone `\r`, and a last line without a terminator still counts. Each line knows the byte
/// range of its content and of its terminator, so an edit can replace whole lines and leave
/// every other byte as it was.
///
/// ``text`` is the same lines joined with `\n` (a UTF-8 byte-order mark dropped), which is what
/// ``ChapterParser`` reads: the parser cuts lines at the Swift `Character` `"\n"`, and `"\r\n"`
/// is one `Character`, so it would see a CRLF or CR file as a single line. Line numbers in
/// ``text`` are the file's line numbers.
struct ChapterLines {
    struct Line {
        /// The content, without terminator (and without the byte-order mark on line 1).
        var content: Range<Int>
        /// The terminator's bytes: empty on a last line that has none.
        var terminator: Range<Int>
        /// Content and terminator.
        var whole: Range<Int> { content.lowerBound..<terminator.upperBound }
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    let bytes: [UInt8]
    let lines: [Line]
    /// Whether the file starts with a UTF-8 byte-order mark.
    let hasByteOrderMark: Bool

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        hasByteOrderMark = bytes.starts(with: Self.byteOrderMark)
        var lines: [Line] = []
        var start = hasByteOrderMark ? Self.byteOrderMark.count : 0
        var i = start
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                let end = byte == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") ? i + 2 : i + 1
                lines.append(Line(content: start..<i, terminator: i..<end))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < bytes.count { lines.append(Line(content: start..<bytes.count, terminator: bytes.count..<bytes.count)) }
        self.lines = lines
    }

    /// Line `index`'s content (from 0).
    func content(_ index: Int) -> ArraySlice<UInt8> { bytes[lines[index].content] }

    /// Line `index`'s content as text (invalid UTF-8 repaired; ``text`` validates the whole).
    func string(_ index: Int) -> String { String(decoding: content(index), as: UTF8.self) }

    /// The lines joined with `\n`, each terminated line keeping one; nil when not valid UTF-8.
    var text: String? {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(bytes.count)
        for line in lines {
            normalized += bytes[line.content]
            if !line.terminator.isEmpty { normalized.append(UInt8(ascii: "\n")) }
        }
        return String(validating: normalized, as: UTF8.self)
    }

    /// Cuts `text` into lines at `\n`, `\r\n` or `\r` (by bytes: `"\r\n"` is one `Character`).
    /// The empty text has no lines; a trailing break gives a last, empty line.
    static func split(_ text: String) -> [[UInt8]] {
        guard !text.isEmpty else { return [] }
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                lines.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        lines.append(current)
        return lines
    }

    /// `text` with every `\r\n` and lone `\r` turned into `\n`.
    static func normalizingLineBreaks(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
        return String(decoding: Array(split(text).joined(separator: [UInt8(ascii: "\n")])), as: UTF8.self)
    }
}
