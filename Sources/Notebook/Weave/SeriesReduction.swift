/// Reduces a long series to about as many points as its figure has pixels, keeping the shape
/// it is drawn with: a 55,000-point word-frequency curve drawn whole made a 490 KB SVG whose
/// extra points fell on the same pixels.
///
/// Points are given in drawing space (log10 of a value on a log axis), so that columns and
/// cells are the figure's pixels whatever the axes. Both reductions return the indices of the
/// points kept, in order; the first and last point and the extremes are always among them.
enum SeriesReduction {
    /// A point in drawing space, and the run of finite points (a piece of line between gaps)
    /// it belongs to.
    struct Point: Equatable {
        var x: Double
        var y: Double
        var segment: Int
    }

    /// For a line: the points are cut into groups, consecutive points that fall in the same
    /// pixel column of `xExtent` (or, when x goes back and forth, the same share of the series)
    /// and the same segment; each group keeps its first, last, lowest, highest, leftmost and
    /// rightmost point. A line through those covers the same pixels as one through all
    /// (the M4 aggregation, with x extremes for curves that are not functions of x).
    static func line(_ points: [Point], columns: Int, xExtent: ClosedRange<Double>) -> [Int] {
        guard points.count > 2, columns > 0 else { return Array(points.indices) }
        let increasing = zip(points, points.dropFirst()).allSatisfy { $0.x <= $1.x }
        func column(_ index: Int) -> Int {
            guard increasing else { return index * columns / points.count }
            return cell(points[index].x, in: xExtent, count: columns)
        }
        var kept: [Int] = []
        var start = 0
        while start < points.count {
            let key = (column(start), points[start].segment)
            var end = start + 1
            while end < points.count, column(end) == key.0, points[end].segment == key.1 { end += 1 }
            let group = start..<end
            let chosen: Set<Int> = [
                group.lowerBound, group.upperBound - 1,
                group.min { points[$0].y < points[$1].y }!, group.max { points[$0].y < points[$1].y }!,
                group.min { points[$0].x < points[$1].x }!, group.max { points[$0].x < points[$1].x }!,
            ]
            kept += chosen.sorted()
            start = end
        }
        return kept
    }

    /// For markers: one point per cell of a `columns` by `rows` grid over the extents (a cell
    /// about a marker wide), the first that falls in it, plus the first and last point and the
    /// points at each extreme of x and y. Markers that would be drawn over each other are
    /// drawn once.
    static func scatter(_ points: [Point], columns: Int, rows: Int,
                        xExtent: ClosedRange<Double>, yExtent: ClosedRange<Double>) -> [Int] {
        guard points.count > 2, columns > 0, rows > 0 else { return Array(points.indices) }
        var seen = Set<Int>()
        var kept = Set<Int>([0, points.count - 1,
                             points.indices.min { points[$0].x < points[$1].x }!,
                             points.indices.max { points[$0].x < points[$1].x }!,
                             points.indices.min { points[$0].y < points[$1].y }!,
                             points.indices.max { points[$0].y < points[$1].y }!])
        for (index, point) in points.enumerated() {
            let key = cell(point.x, in: xExtent, count: columns) * rows + cell(point.y, in: yExtent, count: rows)
            if seen.insert(key).inserted { kept.insert(index) }
        }
        return kept.sorted()
    }

    /// Which of `count` equal cells across `extent` holds `value` (values outside go to the
    /// nearest end cell).
    static func cell(_ value: Double, in extent: ClosedRange<Double>, count: Int) -> Int {
        let width = extent.upperBound - extent.lowerBound
        guard width > 0, width.isFinite else { return 0 }
        let position = ((value - extent.lowerBound) / width * Double(count)).rounded(.down)
        return Int(min(max(position, 0), Double(count - 1)))
    }
}
