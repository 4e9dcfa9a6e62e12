import Synchronization

/// The port the server really listens on, known only once it is bound (port 0 lets the system
/// choose). Shared between the server-running callback, which learns it, and the access policy,
/// which checks Host and Origin against it.
final class ListeningPort: Sendable {
    private let value = Mutex<Int?>(nil)

    /// `nil` before the server listens (no request can arrive then, except in router tests).
    var port: Int? { value.withLock { $0 } }

    func set(_ port: Int) {
        value.withLock { $0 = port }
    }
}
