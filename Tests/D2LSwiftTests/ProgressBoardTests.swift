import CellProtocol
import XCTest
@testable import D2LSwift

/// The trainer's figure of a run that diverges: its inf and NaN epochs reach the runner.
final class ProgressBoardTests: XCTestCase {
    func testADivergingRunsFigureCrossesTheProtocolLiveAndStatic() {
        let board = ProgressBoard()
        for perplexity: Float in [12, 9, .infinity, .nan] {
            board.record("ppl", perplexity, train: true)
            board.finishEpoch()
        }
        let figure = board.figure()
        for marker in [CellMarker.liveFigure(figure), .display(.figure(figure))] {
            let line = marker.line(secret: "s")
            let opening = CellMarker.opening(secret: "s")
            XCTAssertTrue(line.hasPrefix(opening) && line.hasSuffix("\n") && !line.dropLast().contains("\n"))
            let parsed = CellMarker(body: Substring(line.dropFirst(opening.count).dropLast()))
            var received: Figure?
            switch parsed {
            case let .liveFigure(figure)?, let .display(.figure(figure))?: received = figure
            default: break
            }
            let points = received?.series.first?.points ?? []
            XCTAssertEqual(points.count, 4, "\(marker): \(line)")
            guard points.count == 4 else { continue }
            XCTAssertEqual(points[0], [1, 12])
            XCTAssertEqual(points[2], [3, .infinity])
            XCTAssertTrue(points[3][1].isNaN)
        }
    }
}
