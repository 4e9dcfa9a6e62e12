import Foundation

/// The last result of each exercise, kept beside the run cache, so that a page shows what an
/// exercise gave when it last ran (in `d2l-run serve` or with `--exercise`), and whether the
/// exercise or the chapter before it changed since.
public struct ExerciseResultStore: Sendable {
    /// One exercise's last run.
    public struct Entry: Codable, Equatable, Sendable {
        /// The exercise's source as it ran.
        public var source: String
        /// ``CellKeys/mainKey(for:environment:)`` of the chapter it ran after.
        public var mainKey: String
        /// Unix time of the run.
        public var ranAt: Double
        public var result: CellResult

        public init(source: String, mainKey: String, ranAt: Double, result: CellResult) {
            self.source = source
            self.mainKey = mainKey
            self.ranAt = ranAt
            self.result = result
        }

        /// Its key, comparable with ``CellKeys/keys(for:environment:)``.
        public func key(id: String) -> String { CellKeys.exerciseKey(mainKey: mainKey, id: id, source: source) }
    }

    public var file: URL

    public init(file: URL) { self.file = file }

    /// Every stored entry by exercise id; empty when there is none or the file is damaged.
    public func load() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: file.path),
              let entries = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [:] }
        return entries
    }

    /// Stores `entry` as exercise `id`'s last run, keeping the others.
    public func store(_ entry: Entry, id: String) throws {
        var entries = load()
        entries[id] = entry
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(encoder.encode(entries), to: file)
    }
}
