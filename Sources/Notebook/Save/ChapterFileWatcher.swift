import Foundation

/// Tells its owner when the chapter file's content changes on disk, by another editor.
///
/// It polls: every `interval` it reads the file (following symbolic links) and compares
/// ``ChapterFile/version(of:)`` of its bytes with the last version it knew. Reading by path,
/// not by an open descriptor or inode, makes it indifferent to how editors save: in place,
/// through a temporary file renamed over the chapter, or by deleting and re-creating it (vim).
/// While the file is missing or unreadable nothing is reported and the known version stays;
/// when it comes back, a change is reported only if its content differs. A version seen for
/// the first time is read again after a short pause and reported only if it held, so a file
/// caught halfway through an in-place write is not reported (its final content is).
///
/// Reading a chapter of tens of kilobytes twice a second costs nothing measurable; a stat-based
/// shortcut would miss edits within the file system's timestamp granularity.
///
/// The handler runs on the watcher's own serial queue, one call at a time, never after
/// ``stop()`` has returned. To keep its own saves from being reported, the owner saves inside
/// ``withPollingPaused(_:)`` and calls ``acknowledge(version:)`` with the saved version before
/// the closure returns.
public final class ChapterFileWatcher: @unchecked Sendable {  // its lock and serial queue guard its state
    public let path: String
    public let interval: Double
    private let handler: (String) -> Void
    private let queue = DispatchQueue(label: "d2l.chapter-file-watcher")
    private let onQueue = DispatchSpecificKey<Bool>()
    private let lock = NSLock()
    private var known: String?
    private var stopped = false
    private var timer: DispatchSourceTimer?

    /// Starts watching `path`. `version` is the content's version as the owner loaded it; nil
    /// reads the file now (no call for that). `handler` gets each new version.
    public init(path: String, version: String? = nil, interval: Double = 0.5, handler: @escaping (String) -> Void) {
        self.path = path
        self.interval = interval
        self.handler = handler
        known = version ?? FileManager.default.contents(atPath: path).map(ChapterFile.version(of:))
        queue.setSpecific(key: onQueue, value: true)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 100)))
        timer.setEventHandler { [weak self] in self?.poll() }
        self.timer = timer
        timer.resume()
    }

    deinit { timer?.cancel() }

    /// The version the watcher takes the file to be at.
    public var knownVersion: String? {
        lock.lock()
        defer { lock.unlock() }
        return known
    }

    /// Records that the file is now at `version` by the owner's own doing: a poll finding
    /// this version reports nothing.
    public func acknowledge(version: String) {
        lock.lock()
        known = version
        lock.unlock()
    }

    /// Runs `body` while no poll runs (waiting for one in progress), so that a save and its
    /// ``acknowledge(version:)`` inside `body` come before the next poll sees the file.
    public func withPollingPaused<T>(_ body: () throws -> T) rethrows -> T {
        if DispatchQueue.getSpecific(key: onQueue) == true { return try body() }
        return try queue.sync(execute: body)
    }

    /// Stops polling; when it returns, the handler is not running and will not be called again
    /// (from the handler itself, only later calls are prevented).
    public func stop() {
        lock.lock()
        stopped = true
        let timer = self.timer
        self.timer = nil
        lock.unlock()
        timer?.cancel()
        if DispatchQueue.getSpecific(key: onQueue) != true { queue.sync {} }
    }

    private func poll() {
        guard let version = currentVersion(), version != knownVersion else { return }
        Thread.sleep(forTimeInterval: min(interval / 5, 0.05))
        guard currentVersion() == version else { return }
        lock.lock()
        let isNew = !stopped && known != version
        if isNew { known = version }
        lock.unlock()
        if isNew { handler(version) }
    }

    private func currentVersion() -> String? {
        FileManager.default.contents(atPath: path).map(ChapterFile.version(of:))
    }
}
