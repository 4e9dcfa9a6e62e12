import Foundation

/// Single-line JSON for marker payloads (JSONEncoder never emits raw newlines inside strings).
///
/// Non-finite numbers are written as the strings `"inf"`, `"-inf"` and `"nan"` and read back
/// as numbers, so no payload fails for holding one (figures already encode theirs so; see
/// `PlotNumber`).
enum JSONLine {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                      nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                        nan: "nan")
        return try? decoder.decode(type, from: Data(text.utf8))
    }
}
