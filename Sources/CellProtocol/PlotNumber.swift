/// A number in a figure's JSON: finite values as JSON numbers, the others as the strings
/// `"inf"`, `"-inf"` and `"nan"`.
///
/// JSON has no infinity or NaN, and `JSONEncoder` throws on them by default; a figure carries
/// its numbers this way so that any encoder (the marker line, the run cache, the live API)
/// writes it, and a diverging run's figure still reaches the page.
struct PlotNumber: Codable, Equatable {
    var value: Double

    init(_ value: Double) { self.value = value }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
            return
        }
        let text = try container.decode(String.self)
        switch text {
        case "inf": value = .infinity
        case "-inf": value = -.infinity
        case "nan": value = .nan
        default:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(text)")
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isFinite {
            try container.encode(value)
        } else {
            try container.encode(value.isNaN ? "nan" : value < 0 ? "-inf" : "inf")
        }
    }
}
