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
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ChapterError(path: path, line: firstInvalidUTF8Line(data), message: "is not valid UTF-8")
        }
        return try parse(text, path: path)
    }

    /// Parses chapter text; `path` is used in messages and `#sourceLocation`s.
    public static func parse(_ markdown: String, path: String) throws -> Chapter {
        guard !markdown.allSatisfy(\.isWhitespace) else { throw ChapterError(path: path, message: "the chapter is empty") }
        let math = MathProtection(markdown)
        let source = D2LMarkdownExtensions.rewrite(math.protected)
        let options = CMARK_OPT_UNSAFE | CMARK_OPT_SMART
        guard let document = cmark_parse_document(source, source.utf8.count, options) else {
            throw ChapterError(path: path, message: "cmark could not parse the chapter")
        }
        defer { cmark_node_free(document) }
        let markdownLines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        let lineCount = markdownLines.count

        var blocks: [Block] = []
        var proseHTML = ""
        var proseLine: Int?
        var ids: [String: Int] = [:]
        func flushProse(before endLine: Int) {
            if let line = proseLine {
                let text = markdownLines[(line - 1)..<min(max(endLine - 1, line), lineCount)].joined(separator: "\n")
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
                  let opening = CodeFence(opening: markdownLines[startLine - 1]) else {
                if proseLine == nil { proseLine = startLine }
                proseHTML += render(current, options: options)
                continue
            }
            flushProse(before: startLine)
            let code = math.restore(in: literal(of: current))
            let endLine = Int(cmark_node_get_end_line(current))
            if endLine <= startLine || endLine > lineCount || !opening.isClosed(by: markdownLines[endLine - 1]) {
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
                let index = blocks.reduce(0) { count, block in if case .cell = block { return count + 1 } else { return count } }
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

    private static func firstInvalidUTF8Line(_ data: Data) -> Int {
        let bytes = [UInt8](data)
        var line = 1
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            if String(validating: bytes[start..<i], as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return line
    }
}
