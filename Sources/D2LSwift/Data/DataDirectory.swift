import Foundation

/// Finds the project's `Data/` folder: `$D2L_DATA_DIR` first, then `Data/` in the current
/// directory or any directory above it.
public enum DataDirectory {
    /// The folders searched, in order.
    public static var candidates: [String] {
        var result: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["D2L_DATA_DIR"] { result.append(explicit) }
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
        for folder in searched {
            let path = (folder as NSString).appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw DataError.notFound(file: fileName, searched: Array(searched.prefix(3)))
    }

    /// The text of `fileName`.
    public static func read(_ fileName: String) throws -> String {
        try String(contentsOfFile: path(of: fileName), encoding: .utf8)
    }
}
