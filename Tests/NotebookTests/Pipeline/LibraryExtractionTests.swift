import XCTest
@testable import Notebook
import ProjectPaths

/// `d2l-run save-library`'s stage: file names, targets and the errors an author can fix.
final class LibraryExtractionTests: XCTestCase {
    func testEachChapterHasItsOwnFileNamedAfterIt() {
        let names = ["Chapters/rnn-scratch.md": "RNNScratch.swift", "rnn-concise.md": "RNNConcise.swift",
                     "/books/gru.md": "GRU.swift", "lstm_scratch.md": "LSTMScratch.swift",
                     "machine-translation-and-dataset.md": "MachineTranslationAndDataset.swift",
                     "seq2seq.md": "Seq2seq.swift"]
        for (chapter, file) in names {
            XCTAssertEqual(LibraryExtraction.libraryFileName(forChapterAt: chapter), file, chapter)
        }
    }

    private func writeChapter(_ name: String, in folder: URL, saved: String?) throws {
        let cell = saved.map { "```swift {#saved .save}\n\($0)\n```\n" } ?? "```swift {#plain}\nprint(1)\n```\n"
        try "# \(name)\n\n\(cell)".write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// With no chapter named, every chapter of Chapters/ with .save cells, each to its own file;
    /// the header names the chapter from the folder however it was spelled.
    func testEveryChapterOfTheFolderIsSavedToItsOwnFile() throws {
        let folder = Project.temporaryDirectory()
        let chapters = folder.appendingPathComponent("Chapters")
        try FileManager.default.createDirectory(at: chapters, withIntermediateDirectories: true)
        try writeChapter("rnn-scratch.md", in: chapters, saved: "public let a = 1")
        try writeChapter("gru.md", in: chapters, saved: "public let b = 2")
        try writeChapter("prose-only.md", in: chapters, saved: nil)
        let saved = try LibraryExtraction.save(chapters: [], into: "Library", from: folder)
        XCTAssertEqual(saved.map(\.chapterPath), ["Chapters/gru.md", "Chapters/rnn-scratch.md"])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("Library").path)
        XCTAssertEqual(Set(files), ["GRU.swift", "RNNScratch.swift"])
        let gru = try String(contentsOf: folder.appendingPathComponent("Library/GRU.swift"), encoding: .utf8)
        XCTAssertTrue(gru.hasPrefix("// Generated from Chapters/gru.md by"), gru)
        XCTAssertTrue(gru.hasSuffix("public let b = 2\n"), gru)

        let absolute = chapters.appendingPathComponent("gru.md").path
        _ = try LibraryExtraction.save(chapters: [absolute], into: "Library", from: folder)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("Library/GRU.swift"), encoding: .utf8), gru)
    }

    func testProblemsAnAuthorCanFixAreOneLine() throws {
        let folder = Project.temporaryDirectory()
        try writeChapter("gru.md", in: folder, saved: "public let b = 2")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try writeChapter("gru.md", in: folder.appendingPathComponent("sub"), saved: "public let c = 3")
        try "".write(to: folder.appendingPathComponent("taken"), atomically: true, encoding: .utf8)
        let cases: [(chapters: [String], into: String?, message: String)] = [
            (["gru.md"], nil, "is not a d2l-swift checkout"),
            ([], "Library", "no chapter in \(folder.path)/Chapters has .save cells"),
            (["gru.md", "sub/gru.md"], "Library", "gru.md and sub/gru.md would both be saved as GRU.swift"),
            (["gru.md"], "taken", "cannot write to \(folder.path)/taken: it is a file, not a folder"),
        ]
        for (chapters, into, message) in cases {
            XCTAssertThrowsError(try LibraryExtraction.save(chapters: chapters, into: into, from: folder)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(message), text)
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
        XCTAssertThrowsError(try LibraryExtraction.save(chapters: ["missing.md"], into: "Library", from: folder)) { error in
            XCTAssertTrue(error is ChapterError, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Library").path))
    }

    func testTheCheckoutIsRecognised() {
        XCTAssertTrue(LibraryExtraction.isCheckout(Project.root))
        XCTAssertFalse(LibraryExtraction.isCheckout(Project.temporaryDirectory()))
    }
}
