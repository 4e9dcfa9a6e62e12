import XCTest
@testable import Notebook

/// A run's time split into stages, built from hand-made cell times.
final class StageTimesTests: XCTestCase {
    func testProgramSplitsIntoStartCellsGapsAndExit() {
        let stages = StageTimes.programStages(programStart: 100, programEnd: 110, cells: [
            (id: "b", started: 103, ended: 108),
            (id: "a", started: 100.5, ended: 102),
        ])
        XCTAssertEqual(stages.map(\.name), ["program start", "cell a", "cell b", "between cells", "program exit"])
        XCTAssertEqual(stages.map(\.seconds), [0.5, 1.5, 5, 1, 2])
        XCTAssertEqual(StageTimes(stages).total, 10, accuracy: 1e-12)
    }

    func testProgramWithoutCellsIsOneStage() {
        let stages = StageTimes.programStages(programStart: 5, programEnd: 5.25, cells: [])
        XCTAssertEqual(stages, [StageTimes.Stage(name: "program", seconds: 0.25)])
    }

    func testRenderedTableShowsTheLongestCellsAndSumsTheRest() {
        var times = StageTimes()
        times.record("compile", seconds: 0.5)
        for (index, seconds) in [0.1, 3.0, 0.2, 0.3].enumerated() { times.record("cell c\(index)", seconds: seconds) }
        times.record("clock went back", seconds: -1)
        let table = times.rendered(cellLimit: 2)
        XCTAssertTrue(table.contains("cell c1"))
        XCTAssertTrue(table.contains("cell c3"))
        XCTAssertFalse(table.contains("cell c0"))
        XCTAssertTrue(table.contains("2 other cells") && table.contains("0.300 s"), table)
        XCTAssertTrue(table.contains("total") && table.contains("4.100 s"), table)
        XCTAssertEqual(times.seconds(of: "clock went back"), 0)
    }

    func testMeasureRecordsEvenWhenTheBodyThrows() {
        struct Failure: Error {}
        var times = StageTimes()
        XCTAssertThrowsError(try times.measure("failing") { throw Failure() })
        XCTAssertNotNil(times.seconds(of: "failing"))
    }
}
