import Foundation

/// Where a chapter's data files are looked up, shared by the runner (which decides the folders
/// and keys its cache on what was read) and the chapter program (which reads).
///
/// A chapter's own folder comes first: for `book/Chapters/x.md`, `book/Data/` (beside
/// `Chapters/`), then `book/Chapters/Data/`; then the books d2l-swift ships.
public enum DataSearchPath {
    /// The environment variable that gives a chapter program its data folders, in order,
    /// separated by newlines.
    public static let foldersVariable = "D2L_DATA_PATH"
    /// The environment variable naming the file where a chapter program appends each data file
    /// it reads, one `name<TAB>path` line each.
    public static let readLogVariable = "D2L_DATA_LOG"

    /// The folders searched for the chapter at `chapterPath`, then `shipped`, without repeats.
    public static func folders(forChapterAt chapterPath: String, shipped: String) -> [String] {
        let chapterFolder = URL(fileURLWithPath: chapterPath).standardizedFileURL.deletingLastPathComponent()
        let candidates = [chapterFolder.deletingLastPathComponent().appendingPathComponent("Data").path,
                          chapterFolder.appendingPathComponent("Data").path,
                          URL(fileURLWithPath: shipped).standardizedFileURL.path]
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    /// The path of `name` in the first of `folders` that has it.
    public static func resolve(_ name: String, in folders: [String]) -> String? {
        for folder in folders {
            let path = (folder as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { return path }
        }
        return nil
    }

    /// The folders as the environment variable holds them.
    public static func encode(_ folders: [String]) -> String { folders.joined(separator: "\n") }

    /// The folders of the environment variable's value.
    public static func decode(_ value: String) -> [String] {
        value.split(separator: "\n").map(String.init)
    }

    /// One data file a program read: the name it asked for and the file that answered.
    public struct Read: Codable, Equatable, Hashable, Sendable {
        public var name: String
        public var path: String
        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    /// The reads logged in `logText`, each once, in the order first read.
    public static func reads(inLog logText: String) -> [Read] {
        var seen = Set<Read>()
        return logText.split(separator: "\n").compactMap { line -> Read? in
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let read = Read(name: String(parts[0]), path: String(parts[1]))
            return seen.insert(read).inserted ? read : nil
        }
    }

    /// Appends `read` to the log named by ``readLogVariable``, if there is one.
    public static func log(_ read: Read, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let logPath = environment[readLogVariable] else { return }
        // O_APPEND: forked copies of the program (isolated cells, side-by-side runs) log too.
        let descriptor = open(logPath, O_WRONLY | O_APPEND)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let line = Array("\(read.name)\t\(read.path)\n".utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
