import Foundation

/// The chapter file a live session edits: the version of its content, saves that are atomic
/// and refuse to overwrite an edit made elsewhere (``ChapterFile``), and a watcher that reports
/// such edits (``ChapterFileWatcher``), never the document's own saves.
///
/// A class with a lock, not an actor: the watcher calls it from its own queue, and the live
/// session reads its version without waiting.
public final class ChapterDocument: @unchecked Sendable {  // its lock guards the version and watcher
    /// A new content of the file: its parsed chapter and version.
    public struct Content: Sendable {
        public var chapter: Chapter
        public var version: String
    }

    public let path: String
    private let lock = NSLock()
    private var _version: String
    private var watcher: ChapterFileWatcher?

    /// Reads the chapter at `path`; throws ``ChapterError`` naming what is wrong with it.
    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            _ = try ChapterParser.parse(fileAt: path)  // throws the precise problem
            throw ChapterError(path: path, message: "cannot be read")
        }
        _version = ChapterFile.version(of: data)
        initial = try ChapterParser.parse(fileAt: path)
    }

    /// The chapter as it was read when the document opened.
    public let initial: Chapter

    /// The version of the content last read or saved.
    public var version: String { lock.withLock { _version } }

    /// Starts reporting edits made elsewhere: `changed` gets the new content (nil when the
    /// file changed but does not parse) and its version, on the watcher's queue.
    public func watch(_ changed: @escaping @Sendable (_ chapter: Chapter?, _ version: String) -> Void) {
        let watcher = ChapterFileWatcher(path: path, version: version) { [weak self] newVersion in
            guard let self else { return }
            let isNew = self.lock.withLock { () -> Bool in
                guard newVersion != self._version else { return false }
                self._version = newVersion
                return true
            }
            guard isNew else { return }
            changed(try? ChapterParser.parse(fileAt: self.path), newVersion)
        }
        lock.withLock { self.watcher = watcher }
    }

    /// Saves `source` as cell `id`'s body if the file is still at `expected`; the file's new
    /// content. Throws ``LiveSessionError`` (a conflict names both versions).
    public func save(cellID id: String, source: String, expected: String) throws -> Content {
        let watcher = lock.withLock { self.watcher }
        let save = { () throws -> String in
            let newVersion = try ChapterFile.save(cellID: id, source: source, expectedVersion: expected, path: self.path)
            watcher?.acknowledge(version: newVersion)
            return newVersion
        }
        let newVersion = try watcher.map { try $0.withPollingPaused(save) } ?? save()
        lock.withLock { _version = newVersion }
        return Content(chapter: try ChapterParser.parse(fileAt: path), version: newVersion)
    }

    /// Stops watching; no report comes after this returns.
    public func close() {
        lock.withLock { watcher }?.stop()
    }
}
