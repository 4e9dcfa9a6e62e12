import Foundation
import Hummingbird
import Notebook
import ServiceLifecycle

/// `GET /api/events`: the backend's ``LiveEvent``s as server-sent events, `event: <name>` and
/// `data: <json>` per event, and a `: keepalive` comment every `keepaliveInterval` so that
/// proxies and the browser do not take a quiet stream for a dead one.
///
/// The stream ends, and with it the backend's `AsyncStream` consumer, when the client goes away,
/// when the server shuts down gracefully, or when the backend finishes the stream.
struct EventStream {
    let backend: any NotebookBackend
    let keepaliveInterval: Duration

    /// One server-sent event. Each line of `data` gets its own `data:` field, so a JSON value
    /// with a newline (there should be none) cannot end the event early or forge another.
    static func frame(_ event: LiveEvent) -> String {
        let data = OutputsHTML.rendered(event).json.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "data: \($0)" }.joined(separator: "\n")
        return "event: \(event.name)\n\(data)\n\n"
    }

    static let keepalive = ": keepalive\n\n"

    /// Bytes of events held for a client that does not read them, at most; then it is dropped.
    /// A page that reads keeps far below it (a figure event is at most a few hundred KB).
    static let maximumQueuedBytes = 16 << 20

    func add(to router: Router<some RequestContext>) {
        let backend = self.backend
        let keepaliveInterval = self.keepaliveInterval
        router.get("/api/events") { request, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    // Hummingbird does not cancel a streaming response when the client closes
                    // the connection (hummingbird#618): this does, by watching the inbound side.
                    try await request.body.consumeWithCancellationOnInboundClose { _ in
                        try await Self.pump(backend: backend, keepaliveInterval: keepaliveInterval, into: &writer)
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }

    /// Writes events and keep-alives until the client leaves (the task is cancelled), the server
    /// shuts down or the backend's stream ends.
    static func pump(backend: any NotebookBackend, keepaliveInterval: Duration,
                     into writer: inout any ResponseBodyWriter) async throws {
        // Events and keep-alives meet in one stream so that a single loop writes: the writer is
        // not shared between tasks.
        // Bounded: a client that connects and never reads must not make the server queue
        // without end. One that falls this far behind is dropped (its page reconnects and
        // fetches the chapter's state afresh).
        let (outbox, sink) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
        let queued = QueuedBytes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Leaving this loop ends the backend's stream for its consumer (its
                // onTermination runs), which is how the backend learns the page has gone.
                for await event in backend.events() {
                    let chunk = frame(event)
                    guard queued.add(chunk.utf8.count) <= maximumQueuedBytes else { break }
                    sink.yield(chunk)
                }
                sink.finish()
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: keepaliveInterval)
                    sink.yield(keepalive)
                }
            }
            // Something first, so the client gets the headers and knows the stream is open.
            try await writer.write(ByteBuffer(string: ": connected\n\n"))
            // A graceful shutdown (SIGINT, SIGTERM) waits for requests in flight: an endless
            // stream would hold it forever, so it ends the stream instead.
            try await withGracefulShutdownHandler {
                for await chunk in outbox {
                    try await writer.write(ByteBuffer(string: chunk))
                    queued.add(-chunk.utf8.count)
                }
            } onGracefulShutdown: {
                sink.finish()
            }
            group.cancelAll()
        }
    }
}

/// The bytes written into a stream's outbox and not yet sent.
private final class QueuedBytes: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var bytes = 0

    /// Adds `count` (negative once sent) and returns the new total.
    @discardableResult
    func add(_ count: Int) -> Int {
        lock.withLock {
            bytes += count
            return bytes
        }
    }
}
