import Foundation

/// Results of earlier runs, stored under the output folder, reused only when nothing that could
/// change them has changed.
///
/// Each cell's key covers every cell up to and including it (ids, sources, tags, plans), the
/// built D2LSwift library, the compiler, the data files and the run settings (seed included).
/// The program is re-run whole when any key differs: state does not survive across processes,
/// so no result computed before an edit is kept after it. Cell line numbers are not part of the
/// keys: editing prose re-weaves the page from the cache, with lines moved to where the cells
/// now are.
public struct RunCache: Sendable {
    /// The file holding one chapter's cached run.
    public var file: URL

    public init(file: URL) { self.file = file }

    /// What is stored: the keys, the cells' lines at the time, and the results.
    struct Entry: Codable {
        var keys: [String]
        var lines: [Int]
        var results: RunResult
    }

    /// The cumulative key of each cell of `chapter` under `plans` and `environment`: ids, tags
    /// and plans of every cell, sources of the cells that run.
    public static func keys(for chapter: Chapter, plans: [CellPlan], environment: String) -> [String] {
        var hash = ContentHash()
        hash.combine(environment)
        return zip(chapter.cells, plans).map { cell, plan in
            hash.combine(cell.id)
            // A skipped cell's source changes no result (editing an exercise that did not run
            // keeps the cache).
            if plan.runs { hash.combine(cell.source) }
            hash.combine("\(cell.tags)")
            hash.combine("\(plan)")
            return hash.hex
        }
    }

    /// The cached results, if every key matches and every data file the run read is still what
    /// its name finds in `dataFolders`, moved to the cells' current lines.
    public func lookup(keys: [String], chapter: Chapter, dataFolders: [String]) -> RunResult? {
        guard let data = FileManager.default.contents(atPath: file.path),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.keys == keys, entry.lines.count == chapter.cells.count,
              entry.results.dataFiles.allSatisfy({ $0.isCurrent(in: dataFolders) }) else { return nil }
        var results = entry.results
        for (position, cell) in chapter.cells.enumerated() where position < results.cells.count {
            let shift = cell.line - entry.lines[position]
            guard shift != 0 else { continue }
            results.cells[position].outputs = results.cells[position].outputs.map { output in
                guard case var .error(error) = output, let line = error.line else { return output }
                error.line = line + shift
                return .error(error)
            }
        }
        return results
    }

    /// Stores `results` under `keys`.
    public func store(_ results: RunResult, keys: [String], chapter: Chapter) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let entry = Entry(keys: keys, lines: chapter.cells.map(\.line), results: results)
        try AtomicFile.write(JSONEncoder().encode(entry), to: file)
    }
}
