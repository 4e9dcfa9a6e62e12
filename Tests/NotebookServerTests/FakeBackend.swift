import Foundation
import Notebook
@testable import NotebookServer

/// A backend that records what the server asked of it. Cells `c1` and `c2` run, `listing` is
/// shown only; `blocking` runs wait until interrupted; tests push events into live streams.
final class FakeBackend: NotebookBackend, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls: [String] = []
    private var _subscribers: [Int: AsyncStream<LiveEvent>.Continuation] = [:]
    private var _nextSubscriber = 0
    private var _terminations = 0
    private var _shutdowns = 0
    private var _waitingRuns: [String: CheckedContinuation<LiveRunAnswer, Never>] = [:]
    private var _version = "v1"

    let page = "<!doctype html><title>fake chapter</title><script type=\"module\" src=\"/static/live/live.mjs\"></script>"
    let runnable: Set<String> = ["c1", "c2", "blocking"]
    let known: Set<String> = ["c1", "c2", "blocking", "listing"]

    var calls: [String] { lock.withLock { _calls } }
    var subscriberCount: Int { lock.withLock { _subscribers.count } }
    var terminations: Int { lock.withLock { _terminations } }
    var shutdowns: Int { lock.withLock { _shutdowns } }
    var isRunWaiting: Bool { lock.withLock { !_waitingRuns.isEmpty } }

    private func record(_ call: String) { lock.withLock { _calls.append(call) } }

    func pageHTML() -> String {
        record("page")
        return page
    }

    func chapterState() -> LiveChapterState {
        record("chapter")
        return LiveChapterState(version: lock.withLock { _version }, path: "Chapters/fake.md", snapshot: .ready, cells: [
            LiveCellState(id: "c1", index: 0, line: 3, source: "print(1)", kind: .main, status: .ran,
                          outputs: [LiveOutput(type: "stdout", text: "1\n")], html: "<pre>1</pre>", seconds: 0.5),
            LiveCellState(id: "listing", index: 1, line: 9, source: "let x = 1", kind: .listing, status: .skipped),
        ])
    }

    func run(cellID id: String, source: String) async throws -> LiveRunAnswer {
        record("run \(id): \(source)")
        guard known.contains(id) else { throw LiveSessionError.unknownCell(id) }
        guard runnable.contains(id) else { throw LiveSessionError.notRunnable(id) }
        if id == "blocking" {
            return await withCheckedContinuation { continuation in
                lock.withLock { _waitingRuns[id] = continuation }
            }
        }
        return LiveRunAnswer(status: .ran, outputs: [LiveOutput(type: "stdout", text: "ran \(source)")],
                             html: "<pre>ran</pre>", seconds: 0.25)
    }

    func interrupt(cellID id: String) -> Bool {
        record("interrupt \(id)")
        let waiting = lock.withLock { _waitingRuns.removeValue(forKey: id) }
        waiting?.resume(returning: LiveRunAnswer(status: .failed, outputs: [LiveOutput(type: "error", text: "interrupted")],
                                                 html: "", seconds: 1))
        return waiting != nil
    }

    func save(cellID id: String, source: String, version: String) throws -> String {
        record("save \(id) @\(version): \(source)")
        guard known.contains(id) else { throw LiveSessionError.unknownCell(id) }
        if source.contains("```") { throw LiveSessionError.unsavable("the source would close the cell's fence") }
        return try lock.withLock {
            guard version == _version else { throw LiveSessionError.versionConflict(expected: version, current: _version) }
            _version = "v\(Int(_version.dropFirst())! + 1)"
            return _version
        }
    }

    func events() -> AsyncStream<LiveEvent> {
        record("events")
        let (stream, continuation) = AsyncStream<LiveEvent>.makeStream()
        let id = lock.withLock { () -> Int in
            _nextSubscriber += 1
            _subscribers[_nextSubscriber] = continuation
            return _nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.withLock {
                self._subscribers[id] = nil
                self._terminations += 1
            }
        }
        return stream
    }

    func shutdown() {
        record("shutdown")
        lock.withLock { _shutdowns += 1 }
    }

    /// Sends `event` to every open stream.
    func push(_ event: LiveEvent) {
        for continuation in lock.withLock({ Array(_subscribers.values) }) {
            continuation.yield(event)
        }
    }

    /// Ends every open stream from the backend's side.
    func finishStreams() {
        for continuation in lock.withLock({ Array(_subscribers.values) }) {
            continuation.finish()
        }
    }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
