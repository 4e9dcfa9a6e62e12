import CellProtocol
import XCTest
@testable import Notebook
import ProjectPaths

/// What the figure files say: gaps where values are not finite, the axis options, reduced
/// long series, a legend that covers no curve, and the notes about points left out.
final class FigureRendererTests: XCTestCase {
    private func render(_ figure: Figure) throws -> (rendered: FigureRenderer.Rendered, data: String, script: String, svgBytes: Int) {
        let directory = Project.temporaryDirectory()
        let rendered = try FigureRenderer(directory: directory).render(figure, name: "f")
        let data = try String(contentsOf: directory.appendingPathComponent("f.dat"), encoding: .utf8)
        let script = try String(contentsOf: directory.appendingPathComponent("f.gp"), encoding: .utf8)
        let svg = try Data(contentsOf: directory.appendingPathComponent("f.svg"))
        return (rendered, data, script, svg.count)
    }

    func testPointsThatAreNotFiniteBecomeGapsAndAreCounted() throws {
        let figure = Figure(xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "lr 100", points: [[1, 2.5], [2, 9], [3, .infinity], [4, .nan], [5, 40], [6, 80]]),
            .init(name: "lr 1", points: [[1, 2], [.nan, 1], [3, 1.5]]),
        ])
        let (rendered, data, script, _) = try render(figure)
        XCTAssertEqual(data, "# lr 100\n1.0 2.5\n2.0 9.0\n\n5.0 40.0\n6.0 80.0\n\n\n# lr 1\n1.0 2.0\n\n3.0 1.5\n")
        XCTAssertEqual(rendered.notes, ["3 points not finite, left out"])
        XCTAssertTrue(script.contains("set label 1 \"3 points not finite, left out\""), script)
        XCTAssertTrue(rendered.svg.contains("3 points not finite, left out"), "the note is drawn in the figure")
        XCTAssertFalse(data.contains("inf") || data.contains("nan"))
    }

    func testAFigureWithNoFinitePointStillRendersWithItsNote() throws {
        let figure = Figure(xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "diverged", points: [[1, .nan], [2, .infinity], [3, -.infinity]]),
            .init(name: "empty", points: []),
        ], logY: true)
        let (rendered, _, script, _) = try render(figure)
        XCTAssertTrue(rendered.svg.hasPrefix("<svg"))
        XCTAssertTrue(rendered.svg.contains("3 points not finite, left out"))
        XCTAssertTrue(rendered.svg.contains("diverged"), "the series keeps its legend entry")
        XCTAssertTrue(script.contains("set yrange [1.0:10.0]"), script)
        XCTAssertTrue(script.contains("NaN with lines lw 2 title \"diverged\""), script)
    }

    func testNonPositiveValuesOnALogAxisAreLeftOutAndCounted() throws {
        let figure = Figure(xLabel: "rank", yLabel: "count", series: [
            .init(name: "words", points: [[0, 5], [1, 4], [2, 0], [3, 2], [4, 1]]),
        ], logY: true, logX: true)
        let (rendered, data, _, _) = try render(figure)
        XCTAssertEqual(rendered.notes, ["2 points not positive on a log axis, left out"])
        XCTAssertEqual(data, "# words\n1.0 4.0\n\n3.0 2.0\n4.0 1.0\n")
    }

    func testLogXMarkersAndRangesAreInTheScript() throws {
        let figure = Figure(xLabel: "x", yLabel: "y", series: [
            .init(name: "samples", points: [[1, 1], [10, 2], [100, 3]], style: .points),
            .init(name: "fit", points: [[1, 1], [100, 3]], style: .linespoints),
            .init(name: "line", points: [[1, 2], [100, 2]]),
        ], logX: true, xRange: 0.5...200, yRange: -1...4)
        let (_, _, script, _) = try render(figure)
        XCTAssertTrue(script.contains("set logscale x\n"), script)
        XCTAssertFalse(script.contains("set logscale y"))
        XCTAssertTrue(script.contains("set xrange [0.5:200.0]\n"), script)
        XCTAssertTrue(script.contains("set yrange [-1.0:4.0]\n"), script)
        XCTAssertTrue(script.contains("\"f.dat\" index 0 with points pt 7 ps 0.6 title \"samples\""), script)
        XCTAssertTrue(script.contains("\"f.dat\" index 1 with linespoints lw 2 pt 7 ps 0.6 title \"fit\""), script)
        XCTAssertTrue(script.contains("\"f.dat\" index 2 with lines lw 2 title \"line\""), script)
    }

    /// A run that diverged after its first epoch: the lone finite point is drawn (a line alone
    /// cannot), the x axis covers every epoch, and log ticks read as numbers.
    func testADivergedRunShowsItsLonePointOnTheWholeAxis() throws {
        let points = (1...6).map { epoch in [Double(epoch), epoch == 1 ? 20 : (epoch.isMultiple(of: 2) ? .infinity : .nan)] }
        let figure = Figure(xLabel: "epoch", yLabel: "perplexity", series: [.init(name: "train", points: points)], logY: true)
        let script = FigureRenderer.script(figure, name: "fig")
        XCTAssertTrue(script.contains("index 0 with linespoints"), script)
        XCTAssertTrue(script.contains("set xrange [1.0:6.0]"), script)
        XCTAssertTrue(script.contains("set format y \"%g\""), script)
        let plain = FigureRenderer.script(Figure(xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [[1, 1], [2, 2]])]),
                                          name: "fig")
        XCTAssertTrue(plain.contains("index 0 with lines lw 2") && !plain.contains("xrange"), plain)
    }

    func testARangeOfZeroWidthIsLeftToTheData() throws {
        let figure = Figure(xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [[0, 1], [1, 2]])], xRange: 1...1)
        let (rendered, _, script, _) = try render(figure)
        XCTAssertFalse(script.contains("set xrange"), script)
        XCTAssertTrue(rendered.svg.hasPrefix("<svg"))
    }

    func testTheLegendIsOutsideThePlot() throws {
        let script = FigureRenderer.script(Figure(xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [[0, 0]])]),
                                           name: "f")
        let key = try XCTUnwrap(script.split(separator: "\n").first { $0.hasPrefix("set key") })
        XCTAssertTrue(key.contains(" outside "), String(key))
    }

    func testAFiftyFiveThousandPointSeriesGivesASmallFigureThatSaysSo() throws {
        // A word-frequency plot: frequency against rank, as Zipf's law plots it.
        let points = (1...55_000).map { rank in [Double(rank), (60_000 / Double(rank)).rounded(.down) + 1] }
        let figure = Figure(title: "Zipf's law", xLabel: "rank", yLabel: "frequency",
                            series: [.init(name: "words", points: points)], logY: true, logX: true)
        let (rendered, data, _, svgBytes) = try render(figure)
        XCTAssertLessThan(svgBytes, 60_000, "the SVG stays small")
        XCTAssertLessThan(rendered.svg.utf8.count, 60_000)
        let note = try XCTUnwrap(rendered.notes.first)
        XCTAssertTrue(note.hasPrefix("drawn from ") && note.hasSuffix(" of 55,000 points"), note)
        XCTAssertTrue(rendered.svg.contains(note))
        let lines = data.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.first, "1.0 60001.0")
        XCTAssertEqual(lines.last, "55000.0 2.0")
        XCTAssertLessThan(lines.count, 4 * PlotData.width)
    }

    func testADenseScatterOfFiftyFiveThousandPointsStaysSmall() throws {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let cloud = (0..<55_000).map { _ in [next(), next()] }
        let figure = Figure(xLabel: "x", yLabel: "y", series: [.init(name: "cloud", points: cloud, style: .points)])
        let (rendered, data, _, svgBytes) = try render(figure)
        let kept = data.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        XCTAssertLessThanOrEqual(kept, PlotData.markerBudget)
        XCTAssertGreaterThan(kept, PlotData.markerBudget / 4, "the cloud is still drawn densely")
        XCTAssertLessThan(svgBytes, 250_000)
        XCTAssertEqual(rendered.notes, ["drawn from \(PlotData.grouped(kept)) of 55,000 points"])
    }

    func testAShortFigureHasNoNotes() throws {
        let figure = Figure(xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [[0, 1], [1, 2]])])
        let (rendered, _, script, _) = try render(figure)
        XCTAssertEqual(rendered.notes, [])
        XCTAssertFalse(script.contains("set label"))
    }
}
