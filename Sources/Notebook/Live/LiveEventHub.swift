import Foundation

/// The live session's event stream: every subscriber gets each event from the time it
/// subscribed, until it stops listening or the hub finishes. A subscriber that does not keep up
/// loses the oldest events beyond `bufferedEvents`, never blocks the session.
public final class LiveEventHub: @unchecked Sendable {  // its lock guards the subscribers
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<LiveEvent>.Continuation] = [:]
    private var isFinished = false
    private let bufferedEvents: Int

    public init(bufferedEvents: Int = 1000) {
        self.bufferedEvents = bufferedEvents
    }

    /// Events from now on.
    public func subscribe() -> AsyncStream<LiveEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .bufferingNewest(bufferedEvents))
        let id = UUID()
        lock.withLock {
            if isFinished { continuation.finish() } else { subscribers[id] = continuation }
        }
        continuation.onTermination = { [weak self] _ in _ = self?.lock.withLock { self?.subscribers.removeValue(forKey: id) } }
        return stream
    }

    /// Sends `event` to every subscriber.
    public func send(_ event: LiveEvent) {
        for continuation in lock.withLock({ Array(subscribers.values) }) { continuation.yield(event) }
    }

    /// Ends every stream; later subscribers get an ended one.
    public func finish() {
        let continuations = lock.withLock { () -> [AsyncStream<LiveEvent>.Continuation] in
            isFinished = true
            defer { subscribers = [:] }
            return Array(subscribers.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
