import XCTest
@testable import Notebook

/// The real chapter: its saved cells match the library, and its page renders in a browser.
final class ChapterTests: XCTestCase {
    private let chapterPath = Project.root.appendingPathComponent("Chapters/rnn-scratch.md").path

    func testLibraryCopyMatchesTheChapter() throws {
        let chapter = try ChapterParser.parse(fileAt: chapterPath)
        var extracted = LibraryExtraction.librarySource(of: chapter)
        extracted = extracted.replacingOccurrences(of: chapterPath, with: "Chapters/rnn-scratch.md")
        let library = try String(contentsOf: Project.root.appendingPathComponent("Sources/D2LSwift/Chapter/RNNScratch.swift"),
                                 encoding: .utf8)
        XCTAssertEqual(extracted, library, "run `d2l-run save-library` after editing the chapter's .save cells")
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
