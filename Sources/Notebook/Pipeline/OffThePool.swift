import Foundation

/// Runs blocking work (swiftc, starting a process) on a thread of its own, so that it holds
/// neither an actor nor a thread of the cooperative pool (two, on two cores).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
