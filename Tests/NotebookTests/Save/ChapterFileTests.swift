import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

final class ChapterFileTests: XCTestCase {
    private let chapterPath = Project.root.appendingPathComponent("Chapters/rnn-scratch.md").path

    private func chapterData() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: chapterPath)) }

    /// Parses as the save does (line endings normalised, byte-order mark dropped).
    private func parse(_ data: Data, path: String = "test.md") throws -> Chapter {
        try ChapterFile.parse(ChapterLines([UInt8](data)), path: path, when: "test")
    }

    private func cell(_ id: String, in data: Data) throws -> Cell {
        try XCTUnwrap(try parse(data).cells.first { $0.id == id }, "no cell \(id)")
    }

    /// Byte offset of the start of each line of an LF file, from line 1.
    private func lineStarts(_ data: Data) -> [Int] {
        var starts = [0]
        for (offset, byte) in data.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        return starts
    }

    private func write(_ text: String, in folder: URL, name: String = "chapter.md") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    private func assertUnsavable(_ body: @autoclosure () throws -> Any, containing fragment: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let LiveSessionError.unsavable(reason) = error else {
                return XCTFail("expected unsavable, got \(error)", file: file, line: line)
            }
            XCTAssertTrue(reason.contains(fragment), "'\(reason)' does not mention '\(fragment)'", file: file, line: line)
        }
    }

    // MARK: - The real chapter

    func testEditingExSamplingChangesOnlyItsBody() throws {
        let original = try chapterData()
        let before = try parse(original)
        let sampling = try cell("ex-sampling", in: original)
        XCTAssertTrue(sampling.source.contains("[1, 2, 4, 10]"))
        let edited = sampling.source.replacingOccurrences(of: "[1, 2, 4, 10]", with: "[1, 3]")
        XCTAssertNotEqual(edited, sampling.source)

        let result = try ChapterFile.replacingCellSource(in: original, path: chapterPath, cellID: "ex-sampling", with: edited)

        let starts = lineStarts(original)
        let bodyStart = starts[sampling.line - 1]
        let bodyLineCount = sampling.source.split(separator: "\n", omittingEmptySubsequences: false).count
        let closingStart = starts[sampling.line - 1 + bodyLineCount]
        XCTAssertEqual(String(decoding: original[closingStart..<(closingStart + 4)], as: UTF8.self), "```\n")
        XCTAssertEqual(result.prefix(bodyStart), original.prefix(bodyStart))
        XCTAssertEqual(result.suffix(original.count - closingStart), original.suffix(original.count - closingStart))
        XCTAssertEqual(result.count, original.count - ("[1, 2, 4, 10]".count - "[1, 3]".count))
        let newBody = result[bodyStart..<(result.count - (original.count - closingStart))]
        XCTAssertEqual(String(decoding: newBody, as: UTF8.self), edited + "\n")

        let after = try parse(result)
        XCTAssertEqual(after.cells.count, before.cells.count)
        for (old, new) in zip(before.cells, after.cells) {
            XCTAssertEqual(new.id, old.id)
            XCTAssertEqual(new.line, old.line)
            XCTAssertEqual(new.source, old.id == "ex-sampling" ? edited : old.source)
        }
        // The runner's own reading of the saved file agrees.
        let folder = Project.temporaryDirectory()
        let saved = folder.appendingPathComponent("rnn-scratch.md")
        try result.write(to: saved)
        XCTAssertEqual(try ChapterParser.parse(fileAt: saved.path).cells.first { $0.id == "ex-sampling" }?.source, edited)
    }

    func testSavingExSamplingWritesTheFileAndReturnsItsVersion() throws {
        let folder = Project.temporaryDirectory()
        let url = folder.appendingPathComponent("rnn-scratch.md")
        let original = try chapterData()
        try original.write(to: url)
        let edited = try cell("ex-sampling", in: original).source.replacingOccurrences(of: "[1, 2, 4, 10]", with: "[1, 3]")

        let version = try ChapterFile.save(cellID: "ex-sampling", source: edited,
                                           expectedVersion: ChapterFile.version(of: original), path: url.path)
        let written = try Data(contentsOf: url)
        XCTAssertEqual(written, try ChapterFile.replacingCellSource(in: original, path: url.path, cellID: "ex-sampling", with: edited))
        XCTAssertEqual(version, ChapterFile.version(of: written))
        XCTAssertNotEqual(version, ChapterFile.version(of: original))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["rnn-scratch.md"], "no temporary file left")
    }

    func testIdentityEditOfEveryCellIsByteIdentical() throws {
        let original = try chapterData()
        let cells = try parse(original).cells
        XCTAssertGreaterThan(cells.count, 20)
        for cell in cells {
            let result = try ChapterFile.replacingCellSource(in: original, path: chapterPath, cellID: cell.id, with: cell.source)
            XCTAssertEqual(result, original, "identity edit of \(cell.id)")
        }
    }

    /// Every line of each cell rewritten, then rewritten back: no line is kept from the old body,
    /// so the indentation, terminator and trailing-line rules alone must rebuild the chapter.
    func testEveryCellRegeneratedFromItsSourceRebuildsTheChapter() throws {
        let original = try chapterData()
        for cell in try parse(original).cells {
            let rewritten = cell.source.split(separator: "\n", omittingEmptySubsequences: false).map { "x" + $0 }.joined(separator: "\n")
            let all = try ChapterFile.replacingCellSource(in: original, path: chapterPath, cellID: cell.id, with: rewritten)
            XCTAssertEqual(try parse(all).cells.first { $0.id == cell.id }?.source, rewritten)
            XCTAssertEqual(try ChapterFile.replacingCellSource(in: all, path: chapterPath, cellID: cell.id, with: cell.source),
                           original, "full rewrite and back of \(cell.id)")
        }
    }

    func testAddingAndRemovingLinesShiftsLaterCellsOnly() throws {
        let original = try chapterData()
        let before = try parse(original)
        let forward = try cell("rnn-forward", in: original)
        let longer = "// one\n// two\n" + forward.source + "\n// three"
        let grown = try ChapterFile.replacingCellSource(in: original, path: chapterPath, cellID: "rnn-forward", with: longer)
        let afterGrowth = try parse(grown)
        var lines = forward.source.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeSubrange(1..<4)
        let shorter = lines.joined(separator: "\n")
        let shrunk = try ChapterFile.replacingCellSource(in: original, path: chapterPath, cellID: "rnn-forward", with: shorter)
        let afterShrink = try parse(shrunk)
        XCTAssertEqual(afterGrowth.cells.count, before.cells.count)
        XCTAssertEqual(afterShrink.cells.count, before.cells.count)
        for (index, old) in before.cells.enumerated() {
            let grownCell = afterGrowth.cells[index], shrunkCell = afterShrink.cells[index]
            XCTAssertEqual(grownCell.id, old.id)
            XCTAssertEqual(shrunkCell.id, old.id)
            if old.id == "rnn-forward" {
                XCTAssertEqual(grownCell.source, longer)
                XCTAssertEqual(shrunkCell.source, shorter)
                XCTAssertEqual(grownCell.line, old.line)
            } else {
                XCTAssertEqual(grownCell.source, old.source)
                XCTAssertEqual(shrunkCell.source, old.source)
                XCTAssertEqual(grownCell.line, old.line + (old.line > forward.line ? 3 : 0), old.id)
                XCTAssertEqual(shrunkCell.line, old.line - (old.line > forward.line ? 3 : 0), old.id)
            }
        }
        // The prose around is intact: dropping the edited cell's lines gives the same text.
        let originalLines = String(decoding: original, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let grownLines = String(decoding: grown, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(grownLines.count, originalLines.count + 3)
        XCTAssertEqual(Array(grownLines[..<(forward.line - 1)]), Array(originalLines[..<(forward.line - 1)]))
        let bodyCount = forward.source.split(separator: "\n", omittingEmptySubsequences: false).count
        XCTAssertEqual(Array(grownLines[(forward.line - 1 + bodyCount + 3)...]), Array(originalLines[(forward.line - 1 + bodyCount)...]))
    }

    func testUnknownCellIsRefused() throws {
        XCTAssertThrowsError(try ChapterFile.replacingCellSource(in: try chapterData(), path: chapterPath, cellID: "nope", with: "x")) {
            XCTAssertEqual($0 as? LiveSessionError, .unknownCell("nope"))
        }
    }

    // MARK: - Line endings, indentation, fences

    private let small = """
        # Title

        Some prose with $x_1$ maths.

        ```swift {#first}
        let a = 1
        print(a)
        ```

        More prose.

        ```swift {#second}
        let b = 2
        ```

        """

    private func converted(_ data: Data, to terminator: String) -> Data {
        Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\n", with: terminator).utf8)
    }

    func testCRLFAndCRFilesKeepTheirLineEndings() throws {
        let lf = Data(small.utf8)
        let newSource = "let a = 10\n\nprint(a, a)\nprint(\"done\")"
        let expectedLF = try ChapterFile.replacingCellSource(in: lf, path: "t.md", cellID: "first", with: newSource)
        XCTAssertTrue(String(decoding: expectedLF, as: UTF8.self).contains("```swift {#first}\nlet a = 10\n\nprint(a, a)\nprint(\"done\")\n```\n"))
        for terminator in ["\r\n", "\r"] {
            let original = converted(lf, to: terminator)
            XCTAssertEqual(try parse(original).cells.map(\.id), ["first", "second"])
            let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "first", with: newSource)
            XCTAssertEqual(result, converted(expectedLF, to: terminator), "terminator \(terminator.debugDescription)")
            XCTAssertEqual(try parse(result).cells.map(\.source), [newSource, "let b = 2"])
            // A source sent with the file's own line breaks reads the same.
            let sentWithBreaks = newSource.replacingOccurrences(of: "\n", with: terminator)
            XCTAssertEqual(try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "first", with: sentWithBreaks), result)
            XCTAssertEqual(try ChapterFile.replacingCellSource(in: result, path: "t.md", cellID: "first", with: "let a = 1\nprint(a)"), original)
        }
    }

    func testMixedLineEndingsKeepUnchangedLinesAndUseTheFenceLinesTerminator() throws {
        let original = Data("Intro\n\n```swift {#c}\r\nkeep()\nchange()\r\nalso()\n```\nEnd\n".utf8)
        let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "c", with: "keep()\nchanged()\nalso()")
        XCTAssertEqual(String(decoding: result, as: UTF8.self), "Intro\n\n```swift {#c}\r\nkeep()\nchanged()\r\nalso()\n```\nEnd\n")
    }

    func testIndentedFenceReindentsBodyLinesExceptEmptyOnes() throws {
        let original = Data("""
            Prose.

              ```swift {#indented}
              let a = 1

              print(a)
              ```

            After.

            """.utf8)
        XCTAssertEqual(try cell("indented", in: original).source, "let a = 1\n\nprint(a)")
        let newSource = "let b = 2\n\nprint(b)\n    indented()"
        let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "indented", with: newSource)
        XCTAssertEqual(String(decoding: result, as: UTF8.self), """
            Prose.

              ```swift {#indented}
              let b = 2

              print(b)
                  indented()
              ```

            After.

            """)
        XCTAssertEqual(try cell("indented", in: result).source, newSource)
        // Body lines are written two spaces deeper: "   y" is fine, " ```" would be a closing fence
        // at three spaces' depth, "  ```" is code at four.
        XCTAssertEqual(try cell("indented", in: try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "indented",
                                                                                    with: "   y")).source, "   y")
        assertUnsavable(try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "indented", with: " ```\nx"),
                        containing: "line 1")
        XCTAssertEqual(try cell("indented", in: try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "indented",
                                                                                    with: "  ```")).source, "  ```")
    }

    func testFenceInsideAListItem() throws {
        let original = Data("""
            1. First step:

               ```swift {#in-list}
               let a = 1
               ```

            2. Second step.

            ```swift {#top}
            let t = 0
            ```

            """.utf8)
        // The parser reads only top-level fences as cells (it walks the document's children): a
        // fence inside a list item is part of the list's prose, and saving into it is refused
        // rather than guessed. (An indented top-level fence is the indented case that saves.)
        let chapter = try parse(original)
        XCTAssertEqual(chapter.cells.map(\.id), ["top"])
        XCTAssertThrowsError(try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "in-list", with: "x")) {
            XCTAssertEqual($0 as? LiveSessionError, .unknownCell("in-list"))
        }
        let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "top", with: "let t = 1")
        XCTAssertEqual(String(decoding: result, as: UTF8.self),
                       String(decoding: original, as: UTF8.self).replacingOccurrences(of: "let t = 0", with: "let t = 1"))
    }

    func testTildeAndLongBacktickFencesHoldTripleBackticks() throws {
        let original = Data("""
            ~~~~swift {#tilde}
            let a = 1
            ~~~~

            ````swift {#long}
            let b = 2
            ````

            """.utf8)
        let inner = "let doc = \"\"\"\n```\nquoted\n```\n\"\"\""
        let tilde = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "tilde", with: inner)
        XCTAssertTrue(String(decoding: tilde, as: UTF8.self).hasPrefix("~~~~swift {#tilde}\n\(inner)\n~~~~\n"))
        XCTAssertEqual(try cell("tilde", in: tilde).source, inner)
        let long = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "long", with: inner)
        XCTAssertTrue(String(decoding: long, as: UTF8.self).hasSuffix("````swift {#long}\n\(inner)\n````\n"))
        XCTAssertEqual(try parse(long).cells.map(\.source), ["let a = 1", inner])
        // Their own closing fences are refused, even with trailing spaces.
        assertUnsavable(try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "tilde", with: "a\n~~~~~  \nb"),
                        containing: "'~~~~~  '")
        assertUnsavable(try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "long", with: "a\n````"),
                        containing: "line 2")
        // Four spaces make it code, not a fence.
        let deep = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "long", with: "a\n    ````")
        XCTAssertEqual(try cell("long", in: deep).source, "a\n    ````")
    }

    func testByteOrderMarkIsKept() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        for text in ["```swift {#first-line}\nlet a = 1\n```\n\nEnd.\n", "# Title\n\n```swift {#first-line}\nlet a = 1\n```\n"] {
            let original = Data(bom + Array(text.utf8))
            let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "first-line", with: "let a = 2")
            XCTAssertEqual(result, Data(bom + Array(text.replacingOccurrences(of: "let a = 1", with: "let a = 2").utf8)))
            XCTAssertEqual(try cell("first-line", in: result).source, "let a = 2")
        }
    }

    func testEmptySourceLeavesAnEmptyBodyAndCanBeFilledAgain() throws {
        let original = Data(small.utf8)
        let emptied = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "first", with: "")
        XCTAssertTrue(String(decoding: emptied, as: UTF8.self).contains("More prose.") )
        XCTAssertTrue(String(decoding: emptied, as: UTF8.self).contains("```swift {#first}\n```\n\nMore prose."))
        XCTAssertEqual(try parse(emptied).cells.map(\.source), ["", "let b = 2"])
        let refilled = try ChapterFile.replacingCellSource(in: emptied, path: "t.md", cellID: "first", with: "let a = 1\nprint(a)")
        XCTAssertEqual(refilled, original)
        // A single blank line is also an empty source for cmark: saving "" leaves it as it is.
        let blank = Data("```swift {#b}\n\n```\n".utf8)
        XCTAssertEqual(try cell("b", in: blank).source, "")
        XCTAssertEqual(try ChapterFile.replacingCellSource(in: blank, path: "t.md", cellID: "b", with: ""), blank)
        XCTAssertEqual(try ChapterFile.replacingCellSource(in: blank, path: "t.md", cellID: "b", with: "x"), Data("```swift {#b}\nx\n```\n".utf8))
    }

    func testTrailingNewlineInSourceRoundTrips() throws {
        let original = Data(small.utf8)
        let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "second", with: "let b = 3\n")
        XCTAssertTrue(String(decoding: result, as: UTF8.self).hasSuffix("```swift {#second}\nlet b = 3\n\n```\n"))
        XCTAssertEqual(try cell("second", in: result).source, "let b = 3\n")
    }

    func testLastFenceWithoutFinalNewline() throws {
        let original = Data("Prose.\n\n```swift {#end}\nold()\n```".utf8)
        let result = try ChapterFile.replacingCellSource(in: original, path: "t.md", cellID: "end", with: "new()\nnewer()")
        XCTAssertEqual(result, Data("Prose.\n\n```swift {#end}\nnew()\nnewer()\n```".utf8))
    }

    // MARK: - Refusals

    func testSourceClosingTheFenceIsRefusedAndTheFileUntouched() throws {
        let folder = Project.temporaryDirectory()
        let url = folder.appendingPathComponent("rnn-scratch.md")
        let original = try chapterData()
        try original.write(to: url)
        let source = try cell("ex-sampling", in: original).source + "\n```\nprint(\"escaped\")"
        assertUnsavable(try ChapterFile.replacingCellSource(in: original, path: url.path, cellID: "ex-sampling", with: source),
                        containing: "'```'")
        assertUnsavable(try ChapterFile.save(cellID: "ex-sampling", source: source,
                                             expectedVersion: ChapterFile.version(of: original), path: url.path),
                        containing: "would close")
        XCTAssertEqual(try Data(contentsOf: url), original)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["rnn-scratch.md"])
    }

    func testChangesTheParserWouldReadDifferentlyAreRefused() throws {
        // A NUL byte: cmark reads it as U+FFFD, so the cell would not read back as sent.
        assertUnsavable(try ChapterFile.replacingCellSource(in: Data(small.utf8), path: "t.md", cellID: "first", with: "a\u{0}b"),
                        containing: "different source")
    }

    func testVersionConflictWritesNothing() throws {
        let folder = Project.temporaryDirectory()
        let url = folder.appendingPathComponent("rnn-scratch.md")
        let original = try chapterData()
        try original.write(to: url)
        let stale = ChapterFile.version(of: Data(original.dropLast()))
        XCTAssertThrowsError(try ChapterFile.save(cellID: "ex-sampling", source: "x", expectedVersion: stale, path: url.path)) {
            XCTAssertEqual($0 as? LiveSessionError, .versionConflict(expected: stale, current: ChapterFile.version(of: original)))
        }
        XCTAssertEqual(try Data(contentsOf: url), original)
    }

    func testChangeBeforeTheRenameIsAConflictAndLeavesNoTemporaryFile() throws {
        let folder = Project.temporaryDirectory()
        let url = try write("old", in: folder)
        struct Late: Error {}
        XCTAssertThrowsError(try AtomicFile.replaceContents(ofFileAt: url.path, with: Data("new".utf8)) {
            try Data("theirs".utf8).write(to: url)
            throw Late()
        }) { XCTAssertTrue($0 is Late) }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "theirs")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["chapter.md"])
    }

    func testVersionIdentifiesExactBytes() {
        let a = Data("abc\n".utf8)
        XCTAssertEqual(ChapterFile.version(of: a), ChapterFile.version(of: Data("abc\n".utf8)))
        XCTAssertNotEqual(ChapterFile.version(of: a), ChapterFile.version(of: Data("abc\r\n".utf8)))
        XCTAssertNotEqual(ChapterFile.version(of: a), ChapterFile.version(of: Data("abd\n".utf8)))
        XCTAssertNotEqual(ChapterFile.version(of: Data()), ChapterFile.version(of: Data([0])))
        XCTAssertTrue(ChapterFile.version(of: a).hasSuffix("-4"))
    }

    // MARK: - The file on disk

    func testSaveKeepsPermissions() throws {
        let folder = Project.temporaryDirectory()
        let url = try write(small, in: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: url.path)
        let before = try FileManager.default.attributesOfItem(atPath: url.path)
        let version = try ChapterFile.save(cellID: "second", source: "let b = 3", expectedVersion: ChapterFile.version(of: Data(small.utf8)),
                                           path: url.path)
        let after = try FileManager.default.attributesOfItem(atPath: url.path)
        XCTAssertEqual((after[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        XCTAssertEqual(after[.ownerAccountID] as? NSNumber, before[.ownerAccountID] as? NSNumber)
        XCTAssertEqual(after[.groupOwnerAccountID] as? NSNumber, before[.groupOwnerAccountID] as? NSNumber)
        XCTAssertNotEqual(after[.systemFileNumber] as? NSNumber, before[.systemFileNumber] as? NSNumber, "replaced by rename")
        XCTAssertEqual(ChapterFile.version(of: try Data(contentsOf: url)), version)
        XCTAssertEqual(try cell("second", in: try Data(contentsOf: url)).source, "let b = 3")
    }

    func testSymlinkedChapterStaysALink() throws {
        let folder = Project.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("real"), withIntermediateDirectories: true)
        let target = try write(small, in: folder.appendingPathComponent("real"), name: "chapter.md")
        let link = folder.appendingPathComponent("link.md")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real/chapter.md")
        let version = try ChapterFile.save(cellID: "first", source: "let a = 5", expectedVersion: ChapterFile.version(of: Data(small.utf8)),
                                           path: link.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: link.path)
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeSymbolicLink)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), "real/chapter.md")
        XCTAssertEqual(try cell("first", in: try Data(contentsOf: target)).source, "let a = 5")
        XCTAssertEqual(ChapterFile.version(of: try Data(contentsOf: target)), version)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["link.md", "real"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path), ["chapter.md"])
    }

    func testUnchangedSourceWritesNothing() throws {
        let folder = Project.temporaryDirectory()
        let url = try write(small, in: folder)
        let inode = try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? NSNumber
        let version = ChapterFile.version(of: Data(small.utf8))
        XCTAssertEqual(try ChapterFile.save(cellID: "first", source: "let a = 1\nprint(a)", expectedVersion: version, path: url.path), version)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? NSNumber, inode)
    }

    // MARK: - Watcher

    /// Collects the watcher's calls.
    private final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var versions: [String] = []
        func append(_ version: String) { lock.lock(); versions.append(version); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return versions }
    }

    /// Waits until `condition` holds, up to `timeout` seconds.
    private func wait(_ timeout: Double = 5, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    func testWatcherReportsAnExternalEditOnce() throws {
        let folder = Project.temporaryDirectory()
        let url = try write(small, in: folder)
        let calls = Calls()
        let watcher = ChapterFileWatcher(path: url.path, interval: 0.05) { calls.append($0) }
        defer { watcher.stop() }
        XCTAssertEqual(watcher.knownVersion, ChapterFile.version(of: Data(small.utf8)))
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(calls.all, [], "no call without a change")
        let edited = Data((small + "Appended.\n").utf8)
        try edited.write(to: url)
        XCTAssertTrue(wait { !calls.all.isEmpty })
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(calls.all, [ChapterFile.version(of: edited)])
    }

    func testWatcherIgnoresAnAcknowledgedOwnSave() throws {
        let folder = Project.temporaryDirectory()
        let url = try write(small, in: folder)
        let calls = Calls()
        let watcher = ChapterFileWatcher(path: url.path, version: ChapterFile.version(of: Data(small.utf8)), interval: 0.02) {
            calls.append($0)
        }
        defer { watcher.stop() }
        for round in 0..<5 {
            let current = try XCTUnwrap(watcher.knownVersion)
            let saved = try watcher.withPollingPaused { () throws -> String in
                let version = try ChapterFile.save(cellID: "second", source: "let b = \(round + 10)", expectedVersion: current, path: url.path)
                watcher.acknowledge(version: version)
                return version
            }
            XCTAssertEqual(watcher.knownVersion, saved)
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertEqual(calls.all, [])
        // An external edit after them is still reported.
        try Data("external\n".utf8).write(to: url)
        XCTAssertTrue(wait { calls.all == [ChapterFile.version(of: Data("external\n".utf8))] })
    }

    func testWatcherSurvivesDeleteAndRecreateAndRename() throws {
        let folder = Project.temporaryDirectory()
        let url = try write(small, in: folder)
        let calls = Calls()
        let watcher = ChapterFileWatcher(path: url.path, interval: 0.05) { calls.append($0) }
        defer { watcher.stop() }
        // vim: delete, then write a new file a moment later.
        try FileManager.default.removeItem(at: url)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(calls.all, [], "no call while the file is missing")
        let recreated = Data((small + "vim\n").utf8)
        try recreated.write(to: url)
        XCTAssertTrue(wait { calls.all == [ChapterFile.version(of: recreated)] })
        // Deleted and re-created with the same content: nothing to report.
        try FileManager.default.removeItem(at: url)
        Thread.sleep(forTimeInterval: 0.2)
        try recreated.write(to: url)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(calls.all.count, 1)
        // Replaced by rename.
        let renamed = Data((small + "renamed\n").utf8)
        let temporary = folder.appendingPathComponent(".chapter.md.swp")
        try renamed.write(to: temporary)
        XCTAssertEqual(rename(temporary.path, url.path), 0)
        XCTAssertTrue(wait { calls.all == [ChapterFile.version(of: recreated), ChapterFile.version(of: renamed)] })
        // Nothing after stop.
        watcher.stop()
        try Data("after stop\n".utf8).write(to: url)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(calls.all.count, 2)
    }
}
