import Notebook

/// What the server asks of the live session. ``LiveSession`` is the real one; tests may give
/// the server another.
public protocol NotebookBackend: AnyObject, Sendable {
    /// The page: the woven chapter with editable cells, linking `/static/...` assets (no inline
    /// scripts, so a strict Content-Security-Policy holds).
    func pageHTML() async -> String
    /// The chapter as the page shows it now (the server adds each cell's HTML).
    func chapterState() async -> LiveChapterState
    /// Runs cell `id` with `source` (not saved) and answers when it has finished. Throws
    /// ``LiveSessionError/unknownCell(_:)`` or ``LiveSessionError/notRunnable(_:)``.
    func run(cellID id: String, source: String) async throws -> LiveRunAnswer
    /// Stops cell `id` if it is running (its process and all it started); `false` if it was not.
    func interrupt(cellID id: String) async -> Bool
    /// Saves `source` as cell `id`'s body into the chapter file, if the file is still at
    /// `version`; returns the file's new version. Throws ``LiveSessionError``.
    func save(cellID id: String, source: String, version: String) async throws -> String
    /// Events from now on, until the stream's consumer stops.
    func events() -> AsyncStream<LiveEvent>
    /// Ends the snapshot and every process the session started.
    func shutdown() async
}
