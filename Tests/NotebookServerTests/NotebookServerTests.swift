import Foundation
import XCTest
@testable import NotebookServer

final class NotebookServerTests: XCTestCase {
    /// Runs a server on `backend` as `d2l-run serve` does; its task and the port it reported.
    private func startServer(_ backend: FakeBackend) async throws -> (Task<Void, Error>, Int) {
        let server = NotebookServer(backend: backend, token: testToken)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let running = Task {
            try await server.run(onReady: { port in
                portSink.yield(port)
                portSink.finish()
            })
        }
        var iterator = ports.makeAsyncIterator()
        let first = await iterator.next()
        return (running, try XCTUnwrap(first))
    }

    func testNewTokenIs48HexCharactersAndFresh() {
        let tokens = (0..<20).map { _ in NotebookServer.newToken() }
        for token in tokens {
            XCTAssertEqual(token.count, 48, token)
            XCTAssertTrue(token.allSatisfy { "0123456789abcdef".contains($0) }, token)
        }
        XCTAssertEqual(Set(tokens).count, tokens.count)
        XCTAssertEqual(NotebookServer(backend: FakeBackend()).token.count, 48)
        XCTAssertEqual(NotebookServer(backend: FakeBackend(), token: "given").token, "given")
    }

    /// `run` as `d2l-run serve` calls it: a real socket on 127.0.0.1 only, the real port given to
    /// onReady; on cancellation the server stops gracefully (an open event stream ends, a running
    /// cell is interrupted and its request answered) and shuts the backend down.
    func testRunListensOnLoopbackAndShutsTheBackendDownWhenCancelled() async throws {
        let backend = FakeBackend()
        let (running, port) = try await startServer(backend)
        XCTAssertGreaterThan(port, 0)

        // The kernel's table of listening TCP sockets: 127.0.0.1 (0100007F), not 0.0.0.0.
        let listening = try listeningAddresses(port: port)
        XCTAssertEqual(listening, ["0100007F"], "listens on 127.0.0.1 only")

        let connection = try RawHTTPConnection(address: "127.0.0.1", port: port)
        try connection.get("/api/chapter", host: "127.0.0.1:\(port)",
                           headers: ["Authorization: token \(testToken)", "Connection: close"])
        let response = await connection.read(until: { $0.contains("\"snapshot\"") })
        XCTAssertEqual(response.httpStatus, 200, response)

        // An open event stream must not keep the server from stopping.
        let events = try RawHTTPConnection(address: "127.0.0.1", port: port)
        try events.get("/api/events", host: "localhost:\(port)", headers: ["Authorization: token \(testToken)"])
        await events.read(until: { $0.contains(": connected") })
        let subscribed = await eventually { backend.subscriberCount == 1 }
        XCTAssertTrue(subscribed)

        // And neither must a cell that would run for ever.
        let runConnection = try RawHTTPConnection(address: "127.0.0.1", port: port)
        let body = #"{"source": "train()"}"#
        try runConnection.send("POST /api/cells/blocking/run HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
            + "Authorization: token \(testToken)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let runStarted = await eventually { backend.isRunWaiting }
        XCTAssertTrue(runStarted)

        XCTAssertEqual(backend.shutdowns, 0)
        running.cancel()
        // Well within the graceful limit (5 s): nothing waited for the limit.
        let stopped = await finishes(within: 3) { _ = try? await running.value }
        XCTAssertTrue(stopped, "run returned after cancellation")
        XCTAssertEqual(backend.shutdowns, 1)
        XCTAssertEqual(backend.terminations, 1)
        XCTAssertTrue(backend.calls.contains("interrupt blocking"), "\(backend.calls)")
        let answer = await runConnection.read(until: { $0.contains("}") }, seconds: 3)
        XCTAssertEqual(answer.httpStatus, 200, answer)
        XCTAssertTrue(answer.contains(#""status":"failed""#), answer)
        XCTAssertThrowsError(try RawHTTPConnection(address: "127.0.0.1", port: port), "nothing listens any more")
    }

    /// Ctrl-C in the terminal: a graceful shutdown that ends the open event stream, returns from
    /// `run` and shuts the backend down. The signal is sent only once `run` reported the port,
    /// by when its service group traps SIGINT (otherwise it would end the test process).
    func testSIGINTStopsRunGracefully() async throws {
        let backend = FakeBackend()
        let (running, port) = try await startServer(backend)
        let events = try RawHTTPConnection(address: "127.0.0.1", port: port)
        try events.get("/api/events", host: "127.0.0.1:\(port)", headers: ["Authorization: token \(testToken)"])
        await events.read(until: { $0.contains(": connected") })
        let subscribed = await eventually { backend.subscriberCount == 1 }
        XCTAssertTrue(subscribed)

        kill(getpid(), SIGINT)
        let stopped = await finishes(within: 10) { _ = try? await running.value }
        XCTAssertTrue(stopped, "run returned after SIGINT")
        if !stopped { running.cancel() }
        XCTAssertEqual(backend.shutdowns, 1)
        XCTAssertEqual(backend.terminations, 1)
        await events.read(until: { _ in false }, seconds: 3)
        XCTAssertTrue(events.isClosedByPeer)
        XCTAssertTrue(events.text.chunkedBody.hasSuffix(": connected\n\n"), events.text)
    }

    /// The local addresses (hex, as in /proc/net/tcp) of TCP sockets listening on `port`.
    func listeningAddresses(port: Int) throws -> [String] {
        var addresses: [String] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, fields[3] == "0A" else { continue }  // 0A: LISTEN
                let local = fields[1].split(separator: ":")
                if local.count == 2, Int(local[1], radix: 16) == port {
                    addresses.append(String(local[0]))
                }
            }
        }
        return addresses
    }
}
