import Foundation

/// libFuzzer's entry: parse `size` bytes as a chapter file, through the same entry `d2l-run`
/// uses for a file's bytes (``ChapterParser/parse(data:path:)``: encoding, byte-order mark,
/// line endings, then the parse proper). A ``ChapterError`` is a correct answer; a trap, an
/// address-sanitizer report, a timeout or running out of memory is a bug. Nothing is written.
///
/// It also checks what the parser promises about any input:
///
/// - every cell's line is after its opening fence, and its source has `\n` line breaks only;
/// - an error's line is one of the file's lines;
/// - the same text with other line endings (every line break made `\r`, or `\r\n`) and the
///   byte-order mark toggled parses to the same chapter, or the same error on the same line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = parseChapter(bytes)
    let editorLines = lineCount(bytes)
    switch result {
    case let .success(chapter):
        for cell in chapter.cells {
            precondition(cell.line >= 2 && cell.line <= editorLines + 1, "cell \(cell.id) on line \(cell.line) of \(editorLines)")
            precondition(!cell.source.utf8.contains(UInt8(ascii: "\r")), "a cell's source has only \\n line breaks")
            _ = cell.lines
        }
    case let .failure(error):
        if let line = error.line { precondition(line >= 1 && line <= max(editorLines, 1), "\(error) of \(editorLines) lines") }
        // UTF-16 and UTF-32 are recognised by their first bytes, which the variant changes.
        if error.message.hasPrefix("is UTF-") { return 0 }
    }
    let variant = otherLineEndings(bytes, crlf: size % 2 == 0)
    let other = parseChapter(variant)
    if case let .failure(error) = other, error.message.hasPrefix("is UTF-") { return 0 }
    switch (result, other) {
    case let (.success(a), .success(b)): precondition(a == b, "another line ending changed the chapter")
    case let (.failure(a), .failure(b)):
        precondition(a == b, "another line ending changed the error: \(a) vs \(b)")
    default: preconditionFailure("another line ending changed the outcome: \(result) vs \(other)")
    }
    return 0
}

private func parseChapter(_ bytes: [UInt8]) -> Result<Chapter, ChapterError> {
    do {
        return .success(try ChapterParser.parse(data: Data(bytes), path: "fuzz.md"))
    } catch let error as ChapterError {
        // A message with the file and line: what the command prints before exiting 2.
        return .failure(error)
    } catch {
        fatalError("ChapterParser.parse(data:path:) threw something other than a ChapterError: \(error)")
    }
}

private let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

/// The lines an editor shows: breaks are `\r\n`, `\r` or `\n`; a byte-order mark is no line.
private func lineCount(_ bytes: [UInt8]) -> Int {
    var breaks = 0
    var previousWasCR = false
    for byte in bytes {
        if byte == 10 && previousWasCR { previousWasCR = false; continue }
        previousWasCR = byte == 13
        if byte == 10 || byte == 13 { breaks += 1 }
    }
    return breaks + 1
}

/// `bytes` with every line break `\r\n` (or `\r`) and the UTF-8 byte-order mark toggled (one
/// mark is dropped, so when a second follows the first, the first is kept).
private func otherLineEndings(_ bytes: [UInt8], crlf: Bool) -> [UInt8] {
    let hasMark = bytes.starts(with: byteOrderMark)
    let secondMark = hasMark && bytes.dropFirst(3).starts(with: byteOrderMark)
    var output: [UInt8] = hasMark && !secondMark ? [] : byteOrderMark
    var previousWasCR = false
    for byte in bytes.dropFirst(hasMark ? 3 : 0) {
        if byte == 10 && previousWasCR { previousWasCR = false; continue }
        previousWasCR = byte == 13
        if byte == 10 || byte == 13 {
            output += crlf ? [13, 10] : [13]
        } else {
            output.append(byte)
        }
    }
    return output
}
