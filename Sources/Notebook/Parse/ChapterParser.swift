import Ccmark
import Foundation

/// The parse stage: Markdown text in, a ``Chapter`` out.
public enum ChapterParser {
    /// Reads and parses the chapter at `path`; every problem is a ``ChapterError``.
    public static func parse(fileAt path: String) throws -> Chapter {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ChapterError(path: path, message: "no such file")
        }
        guard !isDirectory.boolValue else { throw ChapterError(path: path, message: "is a directory, not a chapter") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChapterError(path: path, message: "cannot be read")
        }
        return try parse(data: data, path: path)
    }

    /// Parses a chapter file's bytes, whatever they are: the entry ``parse(fileAt:)`` uses (and
    /// the fuzz target calls). It returns a ``Chapter`` or throws a ``ChapterError``, never traps.
    ///
    /// The bytes must be UTF-8; a UTF-8 byte-order mark is dropped, and `\r\n`, `\r` and `\n`
    /// all end a line, as in cmark and in editors, so that line N of every message and every
    /// ``Cell/line`` is the line an editor shows as N (a byte-order mark adds no line). Cell
    /// sources and prose come out with `\n` line breaks only.
    public static func parse(data: Data, path: String) throws -> Chapter {
        try parse(text(of: data, path: path), path: path)
    }

    /// A chapter file's text: UTF-8 validated, byte-order mark dropped, line breaks made `\n`.
    static func text(of data: Data, path: String) throws -> String {
        let bytes = [UInt8](data)
        let body = bytes.starts(with: utf8ByteOrderMark) ? bytes[utf8ByteOrderMark.count...] : bytes[...]
        if let encoding = wideEncoding(of: body) {
            throw ChapterError(path: path, line: 1, message: "is \(encoding); save it as UTF-8")
        }
        let normalized = normalizingLineBreaks(body)
        guard let text = String(validating: normalized, as: UTF8.self) else {
            throw ChapterError(path: path, line: firstInvalidUTF8Line(normalized), message: "is not valid UTF-8")
        }
        return text
    }

    /// Parses chapter text; `path` is used in messages and `#sourceLocation`s. `\r\n` and `\r`
    /// read as `\n`, as in ``parse(data:path:)``. The text is taken as decoded: a byte-order mark
    /// belongs to a file's bytes, and ``parse(data:path:)`` (like the save path's
    /// `ChapterLines.text`) drops exactly one, so a U+FEFF left at the start here is text.
    public static func parse(_ markdown: String, path: String) throws -> Chapter {
        var markdown = markdown
        if markdown.utf8.contains(UInt8(ascii: "\r")) {
            markdown = String(decoding: normalizingLineBreaks(markdown.utf8), as: UTF8.self)
        }
        guard !markdown.allSatisfy(\.isWhitespace) else { throw ChapterError(path: path, message: "the chapter is empty") }
        let math = MathProtection(markdown)
        let source = D2LMarkdownExtensions.rewrite(math.protected)
        let options = CMARK_OPT_UNSAFE | CMARK_OPT_SMART
        guard let document = cmark_parse_document(source, source.utf8.count, options) else {
            throw ChapterError(path: path, message: "cmark could not parse the chapter")
        }
        defer { cmark_node_free(document) }
        // Cut at the byte "\n" (no other line break is left): every piece starts and ends on a
        // character boundary, since "\n" is always a character of its own once "\r" is gone.
        let markdownLines = markdown.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { Substring($0) }
        let lineCount = markdownLines.count
        /// Markdown line `n` (from 1), or nil outside the text.
        func markdownLine(_ n: Int) -> Substring? { n >= 1 && n <= lineCount ? markdownLines[n - 1] : nil }

        var blocks: [Block] = []
        var cellCount = 0
        var proseHTML = ""
        var proseLine: Int?
        var ids: [String: Int] = [:]
        func flushProse(before endLine: Int) {
            if let line = proseLine {
                let first = min(max(line - 1, 0), lineCount)
                let end = min(max(endLine - 1, first + 1), lineCount)
                let text = markdownLines[first..<max(first, end)].joined(separator: "\n")
                blocks.append(.prose(html: math.restore(in: proseHTML), markdown: text, line: line))
            }
            proseHTML = ""
            proseLine = nil
        }
        var node = cmark_node_first_child(document)
        while let current = node {
            node = cmark_node_next(current)
            let startLine = Int(cmark_node_get_start_line(current))
            guard cmark_node_get_type(current) == CMARK_NODE_CODE_BLOCK,
                  let fence = cmark_node_get_fence_info(current).map({ String(cString: $0) }),
                  // An indented code block also has an (empty) info string: only fences count.
                  let openingLine = markdownLine(startLine),
                  let opening = CodeFence(opening: openingLine) else {
                if proseLine == nil { proseLine = startLine }
                proseHTML += render(current, options: options)
                continue
            }
            flushProse(before: startLine)
            let code = math.restore(in: literal(of: current))
            let endLine = Int(cmark_node_get_end_line(current))
            guard endLine > startLine, let closingLine = markdownLine(endLine), opening.isClosed(by: closingLine) else {
                throw ChapterError(path: path, line: startLine, message: "code fence opened here is never closed")
            }
            let kind: FenceKind
            do {
                kind = try InfoStringParser.parse(fence)
            } catch InfoStringParser.Problem.unknownTag(let tag) {
                throw ChapterError(path: path, line: startLine,
                                   message: "unknown cell tag '\(tag)' (known: \(CellTags.known.map { "." + $0 }.joined(separator: ", ")))")
            } catch {
                throw ChapterError(path: path, line: startLine, message: "malformed cell attributes '\(fence)'")
            }
            switch kind {
            case let .listing(language):
                blocks.append(.listing(code: code, language: language, line: startLine + 1))
            case let .cell(id, tags):
                let index = cellCount
                cellCount += 1
                let cellID = id ?? "cell-\(index + 1)"
                if let previous = ids[cellID] {
                    throw ChapterError(path: path, line: startLine,
                                       message: "duplicate cell id '\(cellID)' (first used on line \(previous))")
                }
                ids[cellID] = startLine
                blocks.append(.cell(Cell(index: index, id: cellID, source: code, line: startLine + 1, tags: tags)))
            }
        }
        flushProse(before: lineCount + 1)
        return Chapter(path: path, blocks: blocks)
    }

    private static func render(_ node: OpaquePointer, options: Int32) -> String {
        guard let html = cmark_render_html(node, options) else { return "" }
        defer { free(html) }
        return String(cString: html)
    }

    private static func literal(of node: OpaquePointer) -> String {
        guard let text = cmark_node_get_literal(node) else { return "" }
        var code = String(cString: text)
        if code.hasSuffix("\n") { code.removeLast() }
        return code
    }

    static let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// "UTF-16" or "UTF-32" when the bytes start with that encoding's byte-order mark, or look
    /// like UTF-16 without one (ASCII text with a zero byte after or before every character).
    static func wideEncoding(of bytes: ArraySlice<UInt8>) -> String? {
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) || bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32" }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16" }
        let units = min(bytes.count / 2, 32)
        guard units >= 2 else { return nil }
        for zeroFirst in [false, true] {
            let wide = (0..<units).allSatisfy { unit in
                let first = bytes[bytes.startIndex + 2 * unit], second = bytes[bytes.startIndex + 2 * unit + 1]
                let (high, low) = zeroFirst ? (first, second) : (second, first)
                return high == 0 && low != 0 && low < 0x80
            }
            if wide { return "UTF-16" }
        }
        return nil
    }

    /// The bytes with every `\r\n` and lone `\r` turned into `\n`.
    static func normalizingLineBreaks<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var previousWasCR = false
        for byte in bytes {
            if byte == UInt8(ascii: "\n") && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == UInt8(ascii: "\r")
            output.append(previousWasCR ? UInt8(ascii: "\n") : byte)
        }
        return output
    }

    /// The line (from 1) of the first byte that is not UTF-8, in bytes whose lines end at `\n`.
    /// (A line break is ASCII, so no valid multi-byte character spans two lines.)
    static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if String(validating: bytes[start..<end], as: UTF8.self) == nil { return line }
            line += 1
            start = end + 1
        }
        return max(line - 1, 1)
    }
}
