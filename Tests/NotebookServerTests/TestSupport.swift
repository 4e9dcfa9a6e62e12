import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import XCTest
@testable import NotebookServer

let testToken = "0123456789abcdef0123456789abcdef0123456789abcdef"

func makeServer(_ backend: FakeBackend, host: String = "127.0.0.1", roots: StaticRoots = .system,
                keepalive: Duration = .seconds(15)) -> NotebookServer {
    NotebookServer(backend: backend, host: host, port: 0, token: testToken, staticRoots: roots, keepaliveInterval: keepalive)
}

/// The header a script authenticates with, plus `extra`.
func authorized(_ extra: HTTPFields = [:]) -> HTTPFields {
    var fields: HTTPFields = [.authorization: "token \(testToken)"]
    fields.append(contentsOf: extra)
    return fields
}

func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}

/// Runs `server`'s application in a service group of our own (listening on its own `host`, as
/// `d2l-run serve` does, unlike `app.test(.live)` which listens on `localhost`), hands the port
/// to `body`, then shuts it down gracefully and fails if that takes more than `shutdownLimit`.
func withRunningServer(_ server: NotebookServer, shutdownLimit: Double = 10,
                       file: StaticString = #filePath, line: UInt = #line,
                       _ body: (Int) async throws -> Void) async throws {
    let (ports, portSink) = AsyncStream<Int>.makeStream()
    let app = server.application(onReady: { port in
        portSink.yield(port)
        portSink.finish()
    })
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [],
                                                  logger: Logger(label: "test")))
    let running = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        running.cancel()
        XCTFail("the server did not start", file: file, line: line)
        return
    }
    var failure: Error?
    do {
        try await body(port)
    } catch {
        failure = error
    }
    await group.triggerGracefulShutdown()
    let stopped = await finishes(within: shutdownLimit) { _ = try? await running.value }
    if !stopped {
        running.cancel()
        XCTFail("the server did not shut down gracefully within \(shutdownLimit) s", file: file, line: line)
    }
    if let failure { throw failure }
}

/// Whether `operation` finishes within `seconds`. The operation runs in a task of its own, so a
/// wait that ignores cancellation (awaiting another task's value) cannot hold the caller.
func finishes(within seconds: Double, _ operation: @escaping @Sendable () async -> Void) async -> Bool {
    let decided = Once()
    return await withCheckedContinuation { continuation in
        Task {
            await operation()
            if decided.claim() { continuation.resume(returning: true) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if decided.claim() { continuation.resume(returning: false) }
        }
    }
}

/// True for the first caller of ``claim()`` only.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.withLock {
            defer { claimed = true }
            return !claimed
        }
    }
}
