import CellProtocol
import XCTest
@testable import Notebook

final class LiveFigureThrottleTests: XCTestCase {
    private func figure(_ epoch: Int) -> Figure {
        Figure(title: "epoch \(epoch)", xLabel: "epoch", yLabel: "ppl", series: [])
    }

    func testTheFirstIsDrawnAtOnceThenAtMostEveryIntervalKeepingTheLatest() {
        var throttle = LiveFigureThrottle()
        let start = Date(timeIntervalSince1970: 1000)
        XCTAssertFalse(throttle.hasDrawn)
        XCTAssertEqual(throttle.admit(figure(1), now: start)?.title, "epoch 1")
        XCTAssertNil(throttle.admit(figure(2), now: start + 0.1))
        XCTAssertNil(throttle.admit(figure(3), now: start + LiveFigureThrottle.interval - 0.01))
        XCTAssertEqual(throttle.pending?.title, "epoch 3", "the latest waits")
        XCTAssertEqual(throttle.admit(figure(4), now: start + LiveFigureThrottle.interval)?.title, "epoch 4")
        XCTAssertNil(throttle.pending, "a drawn figure replaces the one waiting")
        XCTAssertNil(throttle.admit(figure(5), now: start + LiveFigureThrottle.interval + 0.1))
        XCTAssertEqual(throttle.takePending()?.title, "epoch 5")
        XCTAssertNil(throttle.takePending())
    }
}
