import Foundation
import XCTest
@testable import Notebook

/// Chapters run as an author runs them: from a folder of their own outside this checkout
/// (`book/Chapters/x.md`, `book/Data/`), with `book/` as the working directory.
final class AuthorFolderTests: XCTestCase {
    private var book: AuthorBook!

    override func setUpWithError() throws { book = try AuthorBook() }

    private func addChapter(_ name: String) throws { try book.addChapter("author/\(name)") }
    private func writeData(_ name: String, _ text: String) throws { try book.writeData(name, text) }
    private func run(_ arguments: [String]) throws -> (status: Int32, standardError: String) { try book.run(arguments) }
    private func page(_ name: String) throws -> String { try book.output("\(name).html") }
    private func section(_ id: String, in html: String) -> String { AuthorBook.section(id, in: html) }

    func testReadingALaterCellsDeclarationIsAnErrorBeforeItRuns() throws {
        try addChapter("cell-order.md")
        let (status, standardError) = try run(["Chapters/cell-order.md"])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(standardError.contains(
            "Chapters/cell-order.md:8:22: error: 'laterCount' is declared by cell 'late' (line 13), which runs after this one"),
            standardError)
        XCTAssertTrue(standardError.contains("Chapters/cell-order.md:9:7: error: 'gate' is declared by cell 'late' (line 15)"),
                      standardError)
        let html = try page("cell-order")
        XCTAssertTrue(section("first", in: html).contains("first ran"))
        let early = section("early", in: html)
        XCTAssertTrue(early.contains("is declared by cell &#39;late&#39;"), early)
        XCTAssertFalse(early.contains("early reads 0"), "the forward read must not run")
        XCTAssertTrue(section("late", in: html).contains("not run"))
    }

    func testEveryCompileErrorIsShownAndTheCellsBeforeThemRun() throws {
        try addChapter("two-errors.md")
        let (status, standardError) = try run(["Chapters/two-errors.md"])
        XCTAssertEqual(status, 1)
        // swiftc reports the error in `model`'s function body only once `later` is gone.
        XCTAssertTrue(standardError.contains("FAILED model: Chapters/two-errors.md:11:16: error: cannot find 'squash' in scope"),
                      standardError)
        XCTAssertTrue(standardError.contains("Chapters/two-errors.md:21:14: error: cannot convert value of type 'String'"),
                      standardError)
        let html = try page("two-errors")
        XCTAssertTrue(section("setup", in: html).contains("setup ran 3"))
        XCTAssertTrue(section("model", in: html).contains("cannot find &#39;squash&#39; in scope"))
        let later = section("later", in: html)
        XCTAssertTrue(later.contains("cannot convert value of type"), later)
        XCTAssertTrue(later.contains("may follow from it"), "a later cell's errors are not blamed on it")
        XCTAssertTrue(section("fine", in: html).contains("not run"))
    }

    func testDataFilesComeFromTheAuthorsFolderAndKeyTheCache() throws {
        try addChapter("data-files.md")
        try writeData("mybook.txt", "first edition")
        var result = try run(["Chapters/data-files.md"])
        XCTAssertEqual(result.status, 0, result.standardError)
        var read = section("read", in: try page("data-files"))
        XCTAssertTrue(read.contains("mybook: first edition"), read)
        XCTAssertTrue(read.contains("book starts: The Time Machine, by H"), "the shipped book when the author has none: \(read)")

        try writeData("mybook.txt", "second edition")
        result = try run(["Chapters/data-files.md"])
        XCTAssertFalse(result.standardError.contains("from the cache"), "an edited data file is not served from the cache")
        read = section("read", in: try page("data-files"))
        XCTAssertTrue(read.contains("mybook: second edition"), read)

        try writeData("timemachine.txt", "An author's own time machine.")
        result = try run(["Chapters/data-files.md"])
        read = section("read", in: try page("data-files"))
        XCTAssertTrue(read.contains("book starts: An author&#39;s own time"), "the author's file comes first: \(read)")

        XCTAssertFalse(result.standardError.contains("from the cache"), "an author's file in front of a shipped one")
        result = try run(["Chapters/data-files.md"])
        XCTAssertTrue(result.standardError.contains("from the cache"), "nothing changed: the cache answers")
    }

    func testAnUnknownExerciseIDExitsWithTwoAndNamesTheIDsThereAre() throws {
        try book.addChapter("exercises.md")
        let (status, standardError) = try run(["--exercise", "ex-nope", "Chapters/exercises.md"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(standardError.contains("Chapters/exercises.md: error: no exercise cell with id 'ex-nope'; its exercises are ex-crash, ex-fine"),
                      standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: book.folder.appendingPathComponent("Output/exercises.html").path))
    }
}
