import Foundation

/// Reads what the Swift runtime writes on standard error when a program traps: the fatal-error
/// line and the JSON crash report (`SWIFT_BACKTRACE=format=json`), whose frames carry source
/// locations.
struct CrashReport {
    /// The runtime's message ("Fatal error: Index out of range"), if any.
    var message: String?
    /// The innermost frame in the chapter file.
    var line: Int?
    /// The chapter frames, innermost first, as `file:line`.
    var frames: [String]
    /// Standard error without the crash report's own lines.
    var remainingText: String

    init(standardError: String, chapterPath: String) {
        var message: String?
        var frames: [String] = []
        var line: Int?
        var kept: [Substring] = []
        let chapterName = (chapterPath as NSString).lastPathComponent
        for text in standardError.split(separator: "\n", omittingEmptySubsequences: false) {
            if text.hasPrefix("{ \"timestamp\"") || text.contains("\"kind\": \"crashReport\"") {
                // Line 0 marks compiler-generated code: not a place to show.
                for (file, lineNumber) in CrashReport.sourceLocations(in: String(text))
                where lineNumber > 0 && (file == chapterPath || (file as NSString).lastPathComponent == chapterName) {
                    frames.append("\(chapterPath):\(lineNumber)")
                    if line == nil { line = lineNumber }
                }
                continue
            }
            if text.hasPrefix("*** Signal") || text.hasPrefix("💣") { continue }
            if let range = text.range(of: "Fatal error: ") {
                // The message goes into the error itself; no need to show its line twice.
                message = CrashReport.readable(String(text[range.lowerBound...]))
                continue
            }
            kept.append(text)
        }
        self.message = message
        self.line = line
        self.frames = frames
        self.remainingText = kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The message without the runtime's type-context noise: a thrown `NotReady` is printed as
    /// `ChapterProgram.(unknown context at $55d3...).NotReady()`.
    static func readable(_ message: String) -> String {
        var text = message.replacingOccurrences(of: "ChapterProgram.", with: "")
        while let start = text.range(of: "(unknown context at "),
              let end = text[start.upperBound...].range(of: ").") {
            text.removeSubrange(start.lowerBound..<end.upperBound)
        }
        return text
    }

    /// The (file, line) of every frame with a source location, innermost first.
    static func sourceLocations(in json: String) -> [(String, Int)] {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let threads = object["threads"] as? [[String: Any]] else { return [] }
        let crashed = threads.first { ($0["crashed"] as? Bool) == true } ?? threads.first
        let frames = crashed?["frames"] as? [[String: Any]] ?? []
        return frames.compactMap { frame in
            guard let location = frame["sourceLocation"] as? [String: Any],
                  let file = location["file"] as? String, let line = location["line"] as? Int else { return nil }
            return (file, line)
        }
    }
}
