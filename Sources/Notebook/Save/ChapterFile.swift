import Foundation

/// Saving an edited cell back into the chapter's Markdown, losing nothing: only the bytes of
/// that cell's body change; prose, other cells, the fences, the byte-order mark and the file's
/// line endings stay byte for byte.
public enum ChapterFile {
    /// Identifies a file's exact bytes: FNV-1a 64 of the bytes and their count, as
    /// `<16 hex digits>-<count>`. It detects edits (an accidental collision is a 2^-64 chance
    /// among same-length contents); it is no defence against someone crafting a collision.
    public static func version(of data: Data) -> String {
        var hash = ContentHash()
        hash.combine(data)
        return "\(hash.hex)-\(data.count)"
    }

    /// `data` with cell `cellID`'s body replaced by `source`; pure.
    ///
    /// The body is the lines strictly between the cell's opening fence (Markdown line
    /// `cell.line - 1`) and the first later line that closes that fence as CommonMark reads it.
    /// Only those bytes change:
    ///
    /// - `source`'s line breaks may be `\n`, `\r\n` or `\r`; new lines end with the terminator of
    ///   the opening fence's own line (the file's LF, CRLF or CR);
    /// - a fence indented by k spaces gets its non-empty body lines indented by k spaces (cmark
    ///   strips up to k);
    /// - lines equal to the old body's, at its start and at its end, keep their old bytes
    ///   (indentation, tabs, terminators), so the edit touches only the lines that changed;
    /// - `source` without a final line break (the usual case) ends the body with its last line
    ///   and the terminator; a final line break adds an empty last line, which cmark reads back
    ///   as that same final break. An empty `source` leaves no body line at all;
    /// - `source` equal to the cell's (line breaks normalised) returns `data` itself, even when
    ///   the body is a single blank line (which cmark also reads as an empty source).
    ///
    /// The result is parsed again and must give the same blocks, with this cell's source equal to
    /// `source` with its line breaks normalised to `\n`, and every other cell's id, tags and
    /// source unchanged; else it throws ``LiveSessionError/unsavable(_:)`` saying why (a source
    /// line that would close the fence is named). An unknown id throws
    /// ``LiveSessionError/unknownCell(_:)``; a chapter that does not parse, `unsavable`.
    public static func replacingCellSource(in data: Data, path: String, cellID: String,
                                           with source: String) throws -> Data {
        let file = ChapterLines([UInt8](data))
        let chapter = try parse(file, path: path, when: "cannot save into \(path)")
        guard let cell = chapter.cells.first(where: { $0.id == cellID }) else { throw LiveSessionError.unknownCell(cellID) }
        let body = try locateBody(of: cell, in: file, path: path)
        let newSource = ChapterLines.normalizingLineBreaks(source)
        if newSource == cell.source { return data }

        let oldLines = body.lines.isEmpty ? [] : lines(of: cell.source)
        let newLines = newSource.isEmpty ? [] : lines(of: newSource)
        var kept = 0
        while kept < min(oldLines.count, newLines.count), oldLines[kept] == newLines[kept] { kept += 1 }
        var keptAtEnd = 0
        while keptAtEnd < min(oldLines.count, newLines.count) - kept,
              oldLines[oldLines.count - 1 - keptAtEnd] == newLines[newLines.count - 1 - keptAtEnd] { keptAtEnd += 1 }

        let bytes = file.bytes
        let terminator = bytes[file.lines[body.opening].terminator]
        let indentation = [UInt8](repeating: UInt8(ascii: " "), count: body.indentation)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + newSource.utf8.count + 64)
        output += bytes[..<file.lines[body.opening].whole.upperBound]
        for index in body.lines.prefix(kept) { output += bytes[file.lines[index].whole] }
        for (offset, line) in newLines[kept..<(newLines.count - keptAtEnd)].enumerated() {
            let written = line.isEmpty ? [] : indentation + line
            if closes(body.fence, written[...]) {
                let fenceText = String(repeating: body.fence.character, count: body.fence.length)
                throw LiveSessionError.unsavable(
                    "line \(kept + offset + 1) of the new source of cell '\(cellID)', "
                        + "'\(String(decoding: line, as: UTF8.self))', would close the cell's \(fenceText) fence "
                        + "(\(path):\(body.opening + 1)); nothing was saved. A longer fence in the chapter, or "
                        + "the other fence character, lets the cell hold it")
            }
            output += written
            output += terminator
        }
        for index in body.lines.suffix(keptAtEnd) { output += bytes[file.lines[index].whole] }
        output += bytes[file.lines[body.closing].content.lowerBound...]

        let result = ChapterLines(output)
        let reparsed = try parse(result, path: path, when: "the edit of cell '\(cellID)' would break the chapter")
        try check(reparsed, against: chapter, cellID: cellID, source: newSource,
                  lineShift: newLines.count - oldLines.count)
        return Data(output)
    }

    /// Saves `source` as cell `cellID`'s body into the chapter at `path` (a symbolic link is
    /// written through, the link kept) if the file is still at `expectedVersion`, and returns
    /// the file's new version. Nothing is written when the file's version differs
    /// (``LiveSessionError/versionConflict(expected:current:)``), when the edit cannot be saved
    /// (see ``replacingCellSource(in:path:cellID:with:)``) or when the source is unchanged (the
    /// version is then returned as it is). Reading or writing problems are
    /// ``LiveSessionError/unsavable(_:)``.
    ///
    /// The new bytes go to a temporary file that takes the old one's permissions and owner and
    /// is renamed over it (``AtomicFile/replaceContents(ofFileAt:with:beforeRename:)``), so a
    /// reader sees the old chapter or the new, never half of one. Just before the rename the
    /// file is read again and its version checked once more.
    ///
    /// The race that remains: another editor that writes the file between that last check and
    /// the rename (microseconds) has its write replaced by ours without a conflict being
    /// reported; one that writes after the rename replaces ours, which the file watcher then
    /// reports as an external change. POSIX offers no compare-and-swap on a file's content, and
    /// other editors take no lock we could share.
    public static func save(cellID: String, source: String, expectedVersion: String, path: String) throws -> String {
        let data = try read(path)
        let current = version(of: data)
        guard current == expectedVersion else {
            throw LiveSessionError.versionConflict(expected: expectedVersion, current: current)
        }
        let updated = try replacingCellSource(in: data, path: path, cellID: cellID, with: source)
        if updated == data { return current }
        do {
            try AtomicFile.replaceContents(ofFileAt: path, with: updated) {
                let now = version(of: try read(path))
                guard now == expectedVersion else {
                    throw LiveSessionError.versionConflict(expected: expectedVersion, current: now)
                }
            }
        } catch let error as LiveSessionError {
            throw error
        } catch {
            throw LiveSessionError.unsavable("\(error); nothing was saved")
        }
        return version(of: updated)
    }

    // MARK: - Pieces

    /// Where a cell's body lies, by line index from 0.
    struct Body {
        var opening: Int
        var closing: Int
        var fence: CodeFence
        /// The opening fence's indentation in spaces.
        var indentation: Int
        var lines: Range<Int> { (opening + 1)..<closing }
    }

    static func locateBody(of cell: Cell, in file: ChapterLines, path: String) throws -> Body {
        let opening = cell.line - 2
        func lost(_ why: String) -> LiveSessionError {
            .unsavable("cannot find the body of cell '\(cell.id)' (\(path):\(cell.line - 1)): \(why); nothing was saved")
        }
        guard opening >= 0, opening < file.lines.count else { throw lost("the line is outside the file") }
        let openingText = file.string(opening)
        guard let fence = CodeFence(opening: Substring(openingText)) else { throw lost("the line opens no code fence") }
        guard let closing = ((opening + 1)..<file.lines.count).first(where: { closes(fence, file.content($0)) }) else {
            throw lost("its fence is never closed")
        }
        let sourceLines = lines(of: cell.source).count
        let bodyLines = closing - opening - 1
        guard bodyLines == sourceLines || (cell.source.isEmpty && bodyLines == 0) else {
            throw lost("the fence closes on line \(closing + 1), but the source has \(sourceLines) lines")
        }
        return Body(opening: opening, closing: closing, fence: fence,
                    indentation: openingText.utf8.prefix { $0 == UInt8(ascii: " ") }.count)
    }

    /// Whether `line` closes `fence` as CommonMark reads it: at most three spaces, at least the
    /// fence's length of its character, then only spaces and tabs. (``CodeFence/isClosed(by:)``
    /// also accepts deeper or tab indentation, which cmark reads as code.)
    static func closes(_ fence: CodeFence, _ line: ArraySlice<UInt8>) -> Bool {
        let character = fence.character == "`" ? UInt8(ascii: "`") : UInt8(ascii: "~")
        let rest = line.drop { $0 == UInt8(ascii: " ") }
        guard line.count - rest.count < 4 else { return false }
        let run = rest.prefix { $0 == character }.count
        return run >= fence.length
            && rest.dropFirst(run).allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            && fence.isClosed(by: Substring(String(decoding: line, as: UTF8.self)))
    }

    /// A source's lines as cmark gives them: split at `\n`, so `""` is one empty line.
    static func lines(of source: String) -> [[UInt8]] {
        source.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    static func parse(_ file: ChapterLines, path: String, when context: String) throws -> Chapter {
        guard let text = file.text else { throw LiveSessionError.unsavable("\(context): \(path) is not valid UTF-8") }
        do {
            return try ChapterParser.parse(text, path: path)
        } catch {
            throw LiveSessionError.unsavable("\(context): \(error)")
        }
    }

    /// Checks that `edited` is `original` with cell `cellID`'s source now `source`: the same
    /// blocks, the other cells' ids, tags and sources unchanged, later cells moved by
    /// `lineShift` lines.
    static func check(_ edited: Chapter, against original: Chapter, cellID: String, source: String,
                      lineShift: Int) throws {
        func refuse(_ why: String) -> LiveSessionError {
            .unsavable("the edit of cell '\(cellID)' cannot be saved: \(why); nothing was saved")
        }
        guard edited.blocks.count == original.blocks.count, edited.cells.count == original.cells.count else {
            throw refuse("the chapter would read back with \(edited.cells.count) cells and \(edited.blocks.count) "
                + "blocks instead of \(original.cells.count) and \(original.blocks.count)")
        }
        guard let editedLine = original.cells.first(where: { $0.id == cellID })?.line else { throw LiveSessionError.unknownCell(cellID) }
        for (before, after) in zip(original.blocks, edited.blocks) {
            switch (before, after) {
            case let (.cell(old), .cell(new)) where old.id == cellID:
                guard new.id == cellID, new.tags == old.tags, new.line == old.line else {
                    throw refuse("the cell would read back as '\(new.id)' on line \(new.line)")
                }
                guard new.source == source else {
                    throw refuse("the cell would read back with a different source (cmark changes "
                        + "\(describeFirstDifference(source, new.source)))")
                }
            case let (.cell(old), .cell(new)):
                let expectedLine = old.line + (old.line > editedLine ? lineShift : 0)
                guard new.id == old.id, new.tags == old.tags, new.source == old.source, new.line == expectedLine else {
                    throw refuse("cell '\(old.id)' would read back changed")
                }
            case let (.prose(oldHTML, oldMarkdown, _), .prose(newHTML, newMarkdown, _)):
                guard oldHTML == newHTML, oldMarkdown == newMarkdown else { throw refuse("the prose would read back changed") }
            case let (.listing(oldCode, oldLanguage, _), .listing(newCode, newLanguage, _)):
                guard oldCode == newCode, oldLanguage == newLanguage else { throw refuse("a listing would read back changed") }
            default:
                throw refuse("the chapter's blocks would read back in another order")
            }
        }
    }

    /// "line N: 'expected' into 'actual'" for the first line where two sources differ.
    static func describeFirstDifference(_ expected: String, _ actual: String) -> String {
        let a = lines(of: expected), b = lines(of: actual)
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? String(decoding: a[index], as: UTF8.self) : "<no line>"
            let right = index < b.count ? String(decoding: b[index], as: UTF8.self) : "<no line>"
            if left != right { return "line \(index + 1): '\(left)' into '\(right)'" }
        }
        return "nothing visible"
    }

    static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LiveSessionError.unsavable("cannot read \(path): \(error.localizedDescription); nothing was saved")
        }
    }
}
