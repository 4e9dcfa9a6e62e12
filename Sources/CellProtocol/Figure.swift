/// A figure made of named series of (x, y) points; the runner turns it into data, a gnuplot
/// script and an SVG.
///
/// Values need not be finite: a diverging run's `inf` and `nan` travel to the runner as they
/// are, and the figure leaves those points out (a gap in a line) and says how many it left.
///
/// ```swift
/// display(Figure(xLabel: "rank", yLabel: "frequency",
///                series: [.init(name: "words", points: ranked, style: .points)],
///                logY: true, logX: true))
/// ```
public struct Figure: Codable, Equatable, Sendable {
    /// How a series is drawn.
    public enum Style: String, Codable, Equatable, Sendable {
        /// A line through the points (the default).
        case lines
        /// A marker at each point, no line: a scatter plot.
        case points
        /// A line with a marker at each point.
        case linespoints
    }

    /// One named curve.
    public struct Series: Codable, Equatable, Sendable {
        public var name: String
        /// The points, each `[x, y]`; non-finite values are allowed (left out when drawn).
        public var points: [[Double]]
        /// How the series is drawn.
        public var style: Style

        public init(name: String, points: [[Double]], style: Style = .lines) {
            self.name = name
            self.points = points
            self.style = style
        }

        private enum CodingKeys: String, CodingKey { case name, points, style }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            points = try container.decode([[PlotNumber]].self, forKey: .points).map { $0.map(\.value) }
            // Figures stored before styles existed were all lines.
            style = try container.decodeIfPresent(Style.self, forKey: .style) ?? .lines
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(points.map { $0.map(PlotNumber.init) }, forKey: .points)
            try container.encode(style, forKey: .style)
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Whether the y axis is logarithmic.
    public var logY: Bool
    /// Whether the x axis is logarithmic (a Zipf plot: rank against frequency, both log).
    public var logX: Bool
    /// The x axis's extent; nil lets the data decide.
    public var xRange: ClosedRange<Double>?
    /// The y axis's extent; nil lets the data decide.
    public var yRange: ClosedRange<Double>?

    /// - Parameters:
    ///   - title: Shown above the plot; empty for none.
    ///   - xLabel: The x axis's label.
    ///   - yLabel: The y axis's label.
    ///   - series: The curves, drawn in order and named in the legend.
    ///   - logY: Whether the y axis is logarithmic.
    ///   - logX: Whether the x axis is logarithmic.
    ///   - xRange: The x axis's extent; nil lets the data decide.
    ///   - yRange: The y axis's extent; nil lets the data decide.
    public init(title: String = "", xLabel: String, yLabel: String, series: [Series], logY: Bool = false,
                logX: Bool = false, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.logX = logX
        self.xRange = xRange
        self.yRange = yRange
    }

    private enum CodingKeys: String, CodingKey { case title, xLabel, yLabel, series, logY, logX, xRange, yRange }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decode(String.self, forKey: .title)
        xLabel = try container.decode(String.self, forKey: .xLabel)
        yLabel = try container.decode(String.self, forKey: .yLabel)
        series = try container.decode([Series].self, forKey: .series)
        logY = try container.decode(Bool.self, forKey: .logY)
        // Absent from figures stored before these options existed.
        logX = try container.decodeIfPresent(Bool.self, forKey: .logX) ?? false
        xRange = try Self.decodeRange(container, .xRange)
        yRange = try Self.decodeRange(container, .yRange)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(title, forKey: .title)
        try container.encode(xLabel, forKey: .xLabel)
        try container.encode(yLabel, forKey: .yLabel)
        try container.encode(series, forKey: .series)
        try container.encode(logY, forKey: .logY)
        try container.encode(logX, forKey: .logX)
        try container.encodeIfPresent(xRange.map { [PlotNumber($0.lowerBound), PlotNumber($0.upperBound)] }, forKey: .xRange)
        try container.encodeIfPresent(yRange.map { [PlotNumber($0.lowerBound), PlotNumber($0.upperBound)] }, forKey: .yRange)
    }

    private static func decodeRange(_ container: KeyedDecodingContainer<CodingKeys>,
                                    _ key: CodingKeys) throws -> ClosedRange<Double>? {
        guard let bounds = try container.decodeIfPresent([PlotNumber].self, forKey: key) else { return nil }
        guard bounds.count == 2, !(bounds[0].value > bounds[1].value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                   debugDescription: "an axis range is two bounds, lower first")
        }
        // A NaN bound cannot make a ClosedRange: the range is then left to the data.
        guard !bounds[0].value.isNaN, !bounds[1].value.isNaN else { return nil }
        return bounds[0].value...bounds[1].value
    }
}
