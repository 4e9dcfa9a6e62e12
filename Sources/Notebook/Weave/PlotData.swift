import Foundation
import CellProtocol

/// A figure's series as gnuplot draws them: points that cannot be drawn left out (a gap in
/// the line, as matplotlib draws NaN), long series reduced to the figure's pixels, and the
/// notes the figure shows about both.
struct PlotData {
    /// One series' points as written to the data file: finite values, each run between gaps
    /// a segment.
    struct Series {
        var name: String
        var style: Figure.Style
        var segments: [[(x: Double, y: Double)]]
        var isEmpty: Bool { segments.allSatisfy(\.isEmpty) }
    }

    /// The figure's size in pixels, as its script sets it.
    static let width = 640
    static let height = 400
    /// A line longer than this is reduced: four points a pixel column is all a line needs.
    static let lineThreshold = 4 * width
    /// Markers beyond this many are reduced: each costs the SVG about 130 bytes.
    static let markerBudget = 1500
    /// The grid cell, in pixels, within which markers are drawn once: smaller than a marker.
    static let markerCell = 4.0

    var series: [Series]
    /// Points with an infinite or NaN coordinate, left out.
    var notFinite = 0
    /// Points at or below zero on a log axis, left out.
    var notPositive = 0
    /// Points that could be drawn, and those drawn after reduction.
    var drawable = 0
    var drawn = 0
    /// Whether any point is drawn: without one, gnuplot cannot find ranges in the data.
    var hasPoints: Bool { drawn > 0 }
    /// The x values of every point whose x could be drawn, its y too or not: a run that diverged
    /// at epoch 7 of 10 still shows all 10 epochs on its axis.
    var xCoverage: ClosedRange<Double>?

    init(_ figure: Figure) {
        var prepared: [(name: String, style: Figure.Style, points: [SeriesReduction.Point], values: [(Double, Double)])] = []
        for series in figure.series {
            var points: [SeriesReduction.Point] = []
            var values: [(Double, Double)] = []
            var segment = 0
            var inGap = false
            for (index, point) in series.points.enumerated() {
                // One value is y against its index, as gnuplot reads a one-column line.
                let (x, y) = point.count >= 2 ? (point[0], point[1]) : (Double(index), point.first ?? .nan)
                if x.isFinite, !figure.logX || x > 0 {
                    xCoverage = xCoverage.map { min($0.lowerBound, x)...max($0.upperBound, x) } ?? x...x
                }
                guard x.isFinite, y.isFinite else {
                    notFinite += 1
                    if !inGap, !points.isEmpty { segment += 1; inGap = true }
                    continue
                }
                guard (!figure.logX || x > 0), (!figure.logY || y > 0) else {
                    notPositive += 1
                    if !inGap, !points.isEmpty { segment += 1; inGap = true }
                    continue
                }
                inGap = false
                points.append(.init(x: figure.logX ? log10(x) : x, y: figure.logY ? log10(y) : y, segment: segment))
                values.append((x, y))
            }
            prepared.append((series.name, series.style, points, values))
        }
        let all = prepared.flatMap(\.points)
        let xExtent = Self.extent(all.map(\.x), given: figure.xRange, log: figure.logX)
        let yExtent = Self.extent(all.map(\.y), given: figure.yRange, log: figure.logY)
        var reduced: [Series] = []
        for entry in prepared {
            drawable += entry.points.count
            var kept = Array(entry.points.indices)
            if entry.style == .points, entry.points.count > Self.markerBudget {
                kept = Self.markers(entry.points, xExtent: xExtent, yExtent: yExtent)
            } else if entry.points.count > Self.lineThreshold {
                kept = SeriesReduction.line(entry.points, columns: Self.width, xExtent: xExtent)
            }
            drawn += kept.count
            var segments: [[(x: Double, y: Double)]] = []
            var lastSegment: Int?
            for index in kept {
                if entry.points[index].segment != lastSegment { segments.append([]) }
                lastSegment = entry.points[index].segment
                segments[segments.count - 1].append((entry.values[index].0, entry.values[index].1))
            }
            reduced.append(Series(name: entry.name, style: entry.style, segments: segments))
        }
        series = reduced
    }

    /// The markers of a scatter plot drawn once per cell: cells smaller than a marker, so
    /// that nothing visible changes, unless that still leaves more than ``markerBudget`` (a
    /// dense cloud), when the cells grow until it does not.
    private static func markers(_ points: [SeriesReduction.Point], xExtent: ClosedRange<Double>,
                                yExtent: ClosedRange<Double>) -> [Int] {
        var cell = markerCell
        while true {
            let kept = SeriesReduction.scatter(points, columns: max(1, Int(Double(width) / cell)),
                                               rows: max(1, Int(Double(height) / cell)), xExtent: xExtent, yExtent: yExtent)
            guard kept.count > markerBudget, cell < Double(height) else { return kept }
            // Kept markers go as the inverse square of the cell's side.
            cell *= max(1.1, (Double(kept.count) / Double(markerBudget)).squareRoot())
        }
    }

    /// What the figure says about the points it did not draw, one line each.
    var notes: [String] {
        var notes: [String] = []
        if notFinite > 0 { notes.append("\(Self.count(notFinite, "point")) not finite, left out") }
        if notPositive > 0 { notes.append("\(Self.count(notPositive, "point")) not positive on a log axis, left out") }
        if drawn < drawable { notes.append("drawn from \(Self.grouped(drawn)) of \(Self.grouped(drawable)) points") }
        return notes
    }

    /// The extent, in drawing space, that pixel columns and cells divide: the axis's range
    /// where the figure gives one, else the data's.
    private static func extent(_ values: [Double], given: ClosedRange<Double>?, log: Bool) -> ClosedRange<Double> {
        if let given, given.lowerBound.isFinite, given.upperBound.isFinite, !log || given.lowerBound > 0 {
            return log ? log10(given.lowerBound)...log10(given.upperBound) : given
        }
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        return low...high
    }

    /// "1 point", "3 points".
    static func count(_ n: Int, _ noun: String) -> String { "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")" }

    /// `n` with thousands separated by commas: 55,000.
    static func grouped(_ n: Int) -> String {
        var digits = String(n)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return digits
    }
}
