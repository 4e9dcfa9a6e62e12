import XCTest
@testable import Notebook
import ProjectPaths

/// Figures through the whole command: a diverging run's values, a 55,000-point series, the
/// axis and marker options; what the page and the notebook show.
final class FigureEndToEndTests: XCTestCase {
    private var output: URL!

    override func setUp() { output = Project.temporaryDirectory() }

    private func run(_ fixture: String) throws -> (status: Int32, html: String, notebook: String, standardError: String) {
        // Run from a book folder outside the checkout, as an author would.
        let chapters = output.appendingPathComponent("book/Chapters")
        try FileManager.default.createDirectory(at: chapters, withIntermediateDirectories: true)
        let chapter = chapters.appendingPathComponent(fixture)
        try? FileManager.default.removeItem(at: chapter)
        try FileManager.default.copyItem(at: Project.fixtures.appendingPathComponent(fixture), to: chapter)
        let result = try runD2L([chapter.path, "--output", output.path])
        let name = (fixture as NSString).deletingPathExtension
        let html = (try? String(contentsOf: output.appendingPathComponent("\(name).html"), encoding: .utf8)) ?? ""
        let notebook = (try? String(contentsOf: output.appendingPathComponent("\(name).ipynb"), encoding: .utf8)) ?? ""
        return (result.status, html, notebook, result.standardError)
    }

    private func section(_ id: String, in html: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\">"),
              let end = html[start.upperBound...].range(of: "</section>") else { return "" }
        return String(html[start.upperBound..<end.lowerBound])
    }

    private func file(_ name: String) -> String {
        (try? String(contentsOf: output.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    func testValuesThatAreNotFiniteLeaveGapsAndNotesNeverAMarker() throws {
        let (status, html, notebook, standardError) = try run("figures-nonfinite.md")
        XCTAssertEqual(status, 0, standardError)
        for text in [html, notebook] {
            XCTAssertFalse(text.contains("D2L:"), "no marker reaches the page or the notebook")
            XCTAssertFalse(text.contains("\u{1}") || text.contains("\\u0001") || text.contains("&#1;"))
            XCTAssertFalse(text.contains("could not be read"))
        }
        let sweep = section("sweep", in: html)
        XCTAssertTrue(sweep.contains("<figure class=\"output figure\"") && sweep.contains("<svg"), sweep)
        XCTAssertTrue(sweep.contains("2 points not finite, left out"), "the figure says what it left out")
        XCTAssertTrue(sweep.contains("<td class=\"number\">inf</td>") && sweep.contains("<td class=\"number\">nan</td>"))
        XCTAssertTrue(sweep.contains("final losses: 1.75 nan -inf"))
        let nothing = section("nothing-finite", in: html)
        XCTAssertTrue(nothing.contains("<svg") && nothing.contains("2 points not finite, left out"), nothing)
        let board = section("board", in: html)
        XCTAssertTrue(board.contains("<svg") && board.contains("train ppl") && board.contains("4 points not finite, left out"),
                      board)
        XCTAssertTrue(section("after", in: html).contains("the chapter goes on"))
        let cells = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(notebook.utf8)) as? [String: Any])?["cells"]
            as? [[String: Any]])
        let svgs = cells.flatMap { ($0["outputs"] as? [[String: Any]]) ?? [] }.compactMap { output in
            ((output["data"] as? [String: Any])?["image/svg+xml"] as? [String])?.joined()
        }
        XCTAssertEqual(svgs.count, 3, "three figures in the notebook")
        XCTAssertEqual(svgs.map { $0.contains("2 points not finite, left out") }, [true, true, false])
        XCTAssertTrue(svgs.last?.contains("4 points not finite, left out") ?? false)
        XCTAssertTrue(file("figures-nonfinite-fig1.dat").contains("2.0 9.0\n\n5.0 40.0"), "a gap in the line")
    }

    /// The trainer's own figure, of a run with no clipping and too large a learning rate.
    func testADivergingTrainingRunsFigureIsDrawnWithItsNote() throws {
        let (status, html, notebook, standardError) = try run("figures-diverging-training.md")
        XCTAssertEqual(status, 0, standardError)
        XCTAssertFalse(html.contains("D2L:") || notebook.contains("D2L:"), "no marker reaches the page or the notebook")
        let diverge = section("diverge", in: html)
        XCTAssertTrue(diverge.contains("<svg") && diverge.contains("train ppl") && diverge.contains("val ppl"), diverge)
        XCTAssertNotNil(diverge.range(of: "[0-9]+ points? not finite, left out", options: .regularExpression), diverge)
        XCTAssertNotNil(diverge.range(of: "last train ppl: (inf|nan)", options: .regularExpression), "the run diverged")
        XCTAssertTrue(section("after", in: html).contains("the chapter goes on"))
    }

    func testLongSeriesLogAxesMarkersAndRanges() throws {
        let (status, html, _, standardError) = try run("figures-options.md")
        XCTAssertEqual(status, 0, standardError)
        let zipf = section("zipf", in: html)
        XCTAssertTrue(zipf.contains("<svg"), zipf)
        XCTAssertLessThan(zipf.utf8.count, 100_000, "a 55,000-point series made a 490 KB figure")
        XCTAssertNotNil(zipf.range(of: "drawn from [0-9,]+ of 55,000 points", options: .regularExpression))
        let zipfScript = file("figures-options-fig1.gp")
        XCTAssertTrue(zipfScript.contains("set logscale x\n") && zipfScript.contains("set logscale y\n"), zipfScript)
        let scatterScript = file("figures-options-fig2.gp")
        XCTAssertTrue(scatterScript.contains("with points pt 7"), scatterScript)
        XCTAssertTrue(scatterScript.contains("with linespoints"), scatterScript)
        XCTAssertTrue(scatterScript.contains("set xrange [-1.5:1.5]\n") && scatterScript.contains("set yrange [-2.0:2.0]\n"))
        XCTAssertTrue(section("scatter", in: html).contains("<svg"))
        XCTAssertTrue(file("figures-options-fig3.gp").contains("set key outside"))
        XCTAssertTrue(section("k-step", in: html).contains("16-step preds"))
    }
}
