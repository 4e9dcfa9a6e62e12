import CellProtocol
import Notebook
import XCTest
@testable import NotebookServer

/// The live page's outputs are the static page's: one renderer, applied at the server's edge.
final class OutputsHTMLTests: XCTestCase {
    func testACellStateGetsTheStaticPagesHTMLAndItsNoteWhenNotRun() {
        let result = CellResult(index: 0, status: .failed, outputs: [
            .standardOutput("a < b\n"), .display(.table(Table(header: ["epoch"], rows: [["1"]]))),
            .display(.figure(Figure(xLabel: "x", yLabel: "y", series: []))),
            .error(CellError(message: "boom", file: "c.md", line: 3, details: "at line 3")),
        ])
        let figures = [FigureRenderer.Rendered(name: "c-fig1", svg: "<svg/>")]
        let outputs = LiveOutput.outputs(result.outputs, figures: figures)
        let state = LiveCellState(id: "c", index: 0, line: 3, source: "", kind: .main, status: .failed, outputs: outputs)
        let html = OutputsHTML.rendered(state).html
        XCTAssertEqual(html, HTMLWeaver(title: "", katex: nil, mode: .live).outputsHTML(result, figures: figures))
        XCTAssertTrue(html.contains("<pre class=\"output stdout\">a &lt; b\n</pre>"), html)
        XCTAssertTrue(html.contains("<td class=\"number\">1</td>"), html)
        XCTAssertTrue(html.contains("<figcaption>c-fig1</figcaption>"), "the live page names no file that is not beside it: \(html)")
        XCTAssertTrue(html.contains("c.md:3: boom\nat line 3"), html)

        let waiting = LiveCellState(id: "e", index: 1, line: 9, source: "", kind: .exercise, status: .notRun, note: "runs on demand")
        XCTAssertEqual(OutputsHTML.rendered(waiting).html, "<div class=\"output note\">runs on demand</div>\n")
        let listing = LiveCellState(id: "l", index: 2, line: 12, source: "", kind: .listing, status: .skipped, note: "shown only")
        XCTAssertEqual(OutputsHTML.rendered(listing).html, "")
    }

    func testEventsAndAnswersAreRenderedToo() {
        let state = LiveCellState(id: "c", index: 0, line: 3, source: "", kind: .main, status: .ran,
                                  outputs: [LiveOutput(type: "stdout", text: "1")])
        guard case let .cell(rendered) = OutputsHTML.rendered(.cell(state)) else { return XCTFail("not a cell event") }
        XCTAssertEqual(rendered.html, "<pre class=\"output stdout\">1</pre>\n")
        XCTAssertEqual(OutputsHTML.rendered(.progress(cellID: "c", line: "epoch 1")), .progress(cellID: "c", line: "epoch 1"))
        let answer = LiveRunAnswer(status: .ran, outputs: [LiveOutput(type: "check", text: "shape [2, 3]")], seconds: 1)
        XCTAssertEqual(OutputsHTML.rendered(answer).html, "<div class=\"output check\">✓ shape [2, 3]</div>\n")
    }
}
