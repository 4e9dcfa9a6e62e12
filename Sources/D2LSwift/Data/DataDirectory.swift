import CellProtocol
import Foundation

/// Finds a chapter's data files. Under `d2l-run`, the folders the runner gives
/// (``DataSearchPath``: the chapter's own `Data/` first, then the books d2l-swift ships), and
/// each file read is logged so that the run's cache is keyed on it. Run alone (benchmarks,
/// tests): `$D2L_DATA_DIR`, then `Data/` in the current directory or any directory above it.
public enum DataDirectory {
    /// The folders searched, in order.
    public static var candidates: [String] {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment[DataSearchPath.foldersVariable] { return DataSearchPath.decode(given) }
        var result: [String] = []
        if let explicit = environment["D2L_DATA_DIR"] { result.append(explicit) }
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while true {
            result.append(directory.appendingPathComponent("Data").path)
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return result
    }

    /// The path of `fileName` in the first candidate folder that has it.
    public static func path(of fileName: String) throws -> String {
        let searched = candidates
        guard let path = DataSearchPath.resolve(fileName, in: searched) else {
            throw DataError.notFound(file: fileName, searched: Array(searched.prefix(3)))
        }
        DataSearchPath.log(DataSearchPath.Read(name: fileName, path: path))
        return path
    }

    /// The text of `fileName`.
    public static func read(_ fileName: String) throws -> String {
        try String(contentsOfFile: path(of: fileName), encoding: .utf8)
    }
}
