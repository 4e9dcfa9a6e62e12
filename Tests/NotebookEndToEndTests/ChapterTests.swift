import XCTest
@testable import Notebook
import ProjectPaths

/// The real chapter: its saved cells match the library, and its page renders in a browser.
final class ChapterTests: XCTestCase {
    private let chapterPath = Project.root.appendingPathComponent("Chapters/rnn-scratch.md").path

    /// Every chapter's `.save` cells are its library file, named after it, and every library
    /// file of the chapters' folder comes from a chapter still there.
    func testEveryChaptersLibraryCopyMatchesIt() throws {
        let chapters = try LibraryExtraction.chaptersWithSavedCells(in: Project.root)
        XCTAssertTrue(chapters.contains("Chapters/rnn-scratch.md"), "\(chapters)")
        let folder = Project.root.appendingPathComponent(LibraryExtraction.chapterFolder)
        var expectedFiles: Set<String> = []
        for path in chapters {
            let chapter = try ChapterParser.parse(fileAt: Project.root.appendingPathComponent(path).path)
            let name = LibraryExtraction.libraryFileName(forChapterAt: path)
            expectedFiles.insert(name)
            let library = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(LibraryExtraction.librarySource(of: chapter, sourcePath: path), library,
                           "run `d2l-run save-library` after editing \(path)'s .save cells")
        }
        let generated = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { name in
            let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            return text?.hasPrefix("// Generated from ") == true
        }
        XCTAssertEqual(Set(generated), expectedFiles, "a library file whose chapter is gone or renamed")
    }

    func testChapterPageRendersInChromium() throws {
        let chromium = try XCTUnwrap(Toolchain.findInPath("chromium"), "install Debian's chromium (make deps)")
        let output = Project.temporaryDirectory()
        // Run from the checkout, so the page names the chapter as a reader would.
        let result = try ChildProcess.run("/bin/sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" Chapters/rnn-scratch.md --output \"$3\"",
                                                                "sh", Project.root.path, Project.d2lRun.path, output.path])
        XCTAssertEqual(result.status, 0, result.standardError)
        let page = output.appendingPathComponent("rnn-scratch.html")
        for suffix in ["svg", "dat", "gp"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("rnn-scratch-fig1.\(suffix)").path))
        }
        let dom = try ChildProcess.run(chromium, arguments: ["--headless", "--no-sandbox", "--disable-gpu",
                                                            "--virtual-time-budget=5000", "--dump-dom", page.absoluteString])
        let html = dom.standardOutput
        XCTAssertTrue(html.contains("class=\"katex\""), "KaTeX did not typeset the maths")
        XCTAssertFalse(textOutsideCode(html).contains("$$"), "raw display maths left in the page")
        XCTAssertTrue(html.contains("<figure class=\"output figure\""))
        XCTAssertTrue(html.contains("train ppl") && html.contains("val ppl"), "both curves are in the figure")
        XCTAssertFalse(html.contains("status-failed\""), "a cell failed")
        XCTAssertTrue(html.contains("status-failedAsExpected"))
        let prediction = try XCTUnwrap(html.range(of: "id=\"predict-demo\"")).upperBound
        XCTAssertTrue(html[prediction...].contains("it has"))
        // The reference's band over seeds is train 6.12-6.30, validation 7.18-7.55; a broken
        // model sticks near 17. Allow a margin around the band.
        let summary = try XCTUnwrap(html.range(of: "perplexity after 100 epochs: train "))
        let numbers = html[summary.upperBound...].prefix(40).split(whereSeparator: { !"0123456789.".contains($0) })
            .compactMap { Double($0) }
        XCTAssertEqual(numbers.count >= 2, true, "no perplexities in the page")
        if numbers.count >= 2 {
            XCTAssertTrue((5.5...7.0).contains(numbers[0]), "train perplexity \(numbers[0]) outside the band")
            XCTAssertTrue((6.5...8.2).contains(numbers[1]), "validation perplexity \(numbers[1]) outside the band")
        }
    }

    /// The page text with code, scripts and KaTeX's own annotations removed.
    private func textOutsideCode(_ html: String) -> String {
        var text = html
        for tag in ["script", "pre", "annotation", "style"] {
            while let start = text.range(of: "<\(tag)"), let end = text[start.upperBound...].range(of: "</\(tag)>") {
                text.removeSubrange(start.lowerBound..<end.upperBound)
            }
        }
        return text
    }
}
