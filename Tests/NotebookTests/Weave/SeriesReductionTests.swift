import XCTest
@testable import Notebook

/// Long series are reduced to the figure's pixels with their drawn shape kept: endpoints,
/// extremes and every pixel column's lowest and highest value stay.
final class SeriesReductionTests: XCTestCase {
    private typealias Point = SeriesReduction.Point

    /// A noisy, deterministic series: a slow wave with a spike.
    private func noisy(_ count: Int) -> [Point] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(state >> 11) / Double(1 << 53) - 0.5
            let spike = index == count / 3 ? 50.0 : 0
            return Point(x: Double(index), y: sin(Double(index) / 2000) + noise + spike, segment: 0)
        }
    }

    func testALineKeepsEndpointsExtremesAndEveryColumnsRangeInBoundedSize() {
        let points = noisy(55_000)
        let columns = 640
        let kept = SeriesReduction.line(points, columns: columns, xExtent: 0...54_999)
        XCTAssertLessThanOrEqual(kept.count, 4 * columns)
        XCTAssertLessThan(kept.count, points.count / 10)
        XCTAssertEqual(kept, kept.sorted(), "kept in order")
        XCTAssertEqual(Set(kept).count, kept.count, "no point twice")
        XCTAssertEqual(kept.first, 0)
        XCTAssertEqual(kept.last, points.count - 1)
        XCTAssertTrue(kept.contains(points.count / 3), "the spike is kept")
        XCTAssertTrue(kept.contains(points.indices.min { points[$0].y < points[$1].y }!), "the lowest point is kept")
        // Every pixel column spans the same values as before.
        func ranges(_ indices: [Int]) -> [Int: ClosedRange<Double>] {
            var result: [Int: ClosedRange<Double>] = [:]
            for index in indices {
                let column = SeriesReduction.cell(points[index].x, in: 0...54_999, count: columns)
                let y = points[index].y
                result[column] = result[column].map { min($0.lowerBound, y)...max($0.upperBound, y) } ?? y...y
            }
            return result
        }
        XCTAssertEqual(ranges(kept), ranges(Array(points.indices)))
    }

    func testALineThatGoesBackAndForthKeepsItsXExtremes() {
        // A spiral: x is not a function of the index's order.
        let points = (0..<20_000).map { index -> Point in
            let angle = Double(index) / 200
            return Point(x: cos(angle) * angle, y: sin(angle) * angle, segment: 0)
        }
        let kept = SeriesReduction.line(points, columns: 640, xExtent: -100...100)
        XCTAssertLessThanOrEqual(kept.count, 6 * 640)
        for extreme in [points.indices.min { points[$0].x < points[$1].x }!, points.indices.max { points[$0].x < points[$1].x }!,
                        points.indices.min { points[$0].y < points[$1].y }!, points.indices.max { points[$0].y < points[$1].y }!] {
            XCTAssertTrue(kept.contains(extreme), "extreme point \(extreme) kept")
        }
    }

    func testALineKeepsBothEndsOfEverySegment() {
        // Three pieces of line between gaps, all in one pixel column.
        let points = (0..<3000).map { Point(x: Double($0) / 1e6, y: Double($0 % 7), segment: $0 / 1000) }
        let kept = SeriesReduction.line(points, columns: 640, xExtent: 0...1)
        for end in [0, 999, 1000, 1999, 2000, 2999] { XCTAssertTrue(kept.contains(end), "segment end \(end) kept") }
    }

    func testMarkersAreDrawnOncePerCellWithTheExtremesKept() {
        // 55,000 points along a curve: a few hundred cells hold them all.
        let points = (0..<55_000).map { index -> Point in
            let x = log10(Double(index + 1))
            return Point(x: x, y: 5 - x, segment: 0)
        }
        let kept = SeriesReduction.scatter(points, columns: 160, rows: 100, xExtent: 0...5, yExtent: 0...5)
        XCTAssertLessThanOrEqual(kept.count, 160 * 100 + 6)
        XCTAssertLessThan(kept.count, 500)
        XCTAssertEqual(kept.first, 0)
        XCTAssertEqual(kept.last, points.count - 1)
        // Every cell that had a point still has one.
        func cells(_ indices: [Int]) -> Set<Int> {
            Set(indices.map { SeriesReduction.cell(points[$0].x, in: 0...5, count: 160) * 100
                    + SeriesReduction.cell(points[$0].y, in: 0...5, count: 100) })
        }
        XCTAssertEqual(cells(kept), cells(Array(points.indices)))
    }

    func testShortSeriesAreKeptWhole() {
        let points = noisy(2)
        XCTAssertEqual(SeriesReduction.line(points, columns: 640, xExtent: 0...1), [0, 1])
        XCTAssertEqual(SeriesReduction.scatter(points, columns: 10, rows: 10, xExtent: 0...1, yExtent: 0...1), [0, 1])
    }
}
