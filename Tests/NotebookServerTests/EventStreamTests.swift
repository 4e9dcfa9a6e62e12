import Foundation
import Notebook
import XCTest
@testable import NotebookServer

final class EventStreamTests: XCTestCase {
    /// Opens `/api/events` on a raw connection and waits until the backend has a subscriber.
    func openStream(port: Int, backend: FakeBackend, subscribers: Int = 1) async throws -> RawHTTPConnection {
        let connection = try RawHTTPConnection(port: port)
        try connection.get("/api/events", host: "127.0.0.1:\(port)", headers: ["Authorization: token \(testToken)"])
        let head = await connection.read(until: { $0.contains(": connected\n\n") })
        XCTAssertEqual(head.httpStatus, 200, head)
        let subscribed = await eventually { backend.subscriberCount == subscribers }
        XCTAssertTrue(subscribed, "the server subscribed to the backend's events")
        return connection
    }

    func testEventsArriveInOrderWithTheirNames() async throws {
        let backend = FakeBackend()
        try await withRunningServer(makeServer(backend)) { port in
            let connection = try await openStream(port: port, backend: backend)
            let cell = LiveCellState(id: "c1", index: 0, line: 3, source: "print(1)", kind: .main, status: .running)
            let events: [LiveEvent] = [
                .snapshot(.training), .cell(cell), .progress(cellID: "c1", line: "epoch 1, perplexity 20.1"),
                .figure(cellID: "c1", svg: "<svg/>"), .fileChanged(version: "v9"),
            ]
            for event in events { backend.push(event) }
            let text = await connection.read(until: { $0.contains(#"data: {"version":"v9"}"# + "\n\n") })
            let head = try XCTUnwrap(text.components(separatedBy: "\r\n\r\n").first)
            XCTAssertTrue(head.lowercased().contains("content-type: text/event-stream"), head)
            XCTAssertTrue(head.lowercased().contains("cache-control: no-store"), head)
            XCTAssertTrue(head.lowercased().contains("content-security-policy: default-src 'none'"), head)

            // The frames, in the order pushed, each `event:` then `data:` with the event's JSON.
            let frames = text.chunkedBody.components(separatedBy: "\n\n").compactMap { block -> (String, String)? in
                let lines = block.split(separator: "\n")
                guard let name = lines.first(where: { $0.hasPrefix("event: ") }),
                      let data = lines.first(where: { $0.hasPrefix("data: ") }) else { return nil }
                return (String(name.dropFirst(7)), String(data.dropFirst(6)))
            }
            XCTAssertEqual(frames.map(\.0), ["snapshot", "cell", "progress", "figure", "file-changed"])
            XCTAssertEqual(frames.map(\.1), events.map(\.json), text.debugDescription)
            connection.close()
        }
    }

    func testStreamEndsWhenTheClientDisconnects() async throws {
        let backend = FakeBackend()
        try await withRunningServer(makeServer(backend)) { port in
            let connection = try await openStream(port: port, backend: backend)
            XCTAssertEqual(backend.terminations, 0)
            connection.close()
            let ended = await eventually { backend.terminations == 1 && backend.subscriberCount == 0 }
            XCTAssertTrue(ended, "the backend's stream saw its consumer stop")
            // Events pushed now go nowhere and do not fail.
            backend.push(.snapshot(.ready))

            // A second page subscribes afresh.
            let second = try await openStream(port: port, backend: backend)
            backend.push(.snapshot(.ready))
            let text = await second.read(until: { $0.chunkedBody.hasSuffix(#"{"snapshot":"ready"}"# + "\n\n") })
            XCTAssertTrue(text.chunkedBody.hasSuffix("event: snapshot\n" + #"data: {"snapshot":"ready"}"# + "\n\n"), text)
            second.close()
            let endedAgain = await eventually { backend.terminations == 2 }
            XCTAssertTrue(endedAgain)
        }
    }

    func testStreamEndsOnGracefulShutdown() async throws {
        let backend = FakeBackend()
        var connection: RawHTTPConnection?
        try await withRunningServer(makeServer(backend), shutdownLimit: 10) { port in
            connection = try await openStream(port: port, backend: backend)
        }
        // withRunningServer fails the test if the open stream held the shutdown up.
        XCTAssertEqual(backend.terminations, 1)
        let text = await connection!.read(until: { _ in false }, seconds: 5)
        XCTAssertTrue(connection!.isClosedByPeer, "the server closed the stream: \(text)")
    }

    func testStreamEndsWhenTheBackendFinishesIt() async throws {
        let backend = FakeBackend()
        try await withRunningServer(makeServer(backend)) { port in
            let connection = try await openStream(port: port, backend: backend)
            backend.push(.snapshot(.stopped))
            backend.finishStreams()
            let text = await connection.read(until: { _ in false }, seconds: 5)
            XCTAssertTrue(text.contains("event: snapshot"))
            // Chunked encoding's last chunk: the response is complete.
            XCTAssertTrue(text.hasSuffix("0\r\n\r\n") || connection.isClosedByPeer, text)
        }
    }

    /// A client that connects and never reads is dropped once the events it has not taken pass
    /// the bound, instead of the server queueing them without end.
    func testAClientThatNeverReadsIsDroppedAtTheBound() async throws {
        let backend = FakeBackend()
        try await withRunningServer(makeServer(backend)) { port in
            let connection = try await openStream(port: port, backend: backend)
            let figure = "<svg>" + String(repeating: "x", count: 256 << 10) + "</svg>"
            // 128 events of 256 KB: twice the bound, more than the sockets' buffers hold.
            for _ in 0..<128 { backend.push(.figure(cellID: "c1", svg: figure)) }
            let dropped = await eventually(20) { backend.terminations == 1 && backend.subscriberCount == 0 }
            XCTAssertTrue(dropped, "the server stopped taking events for a client that does not read")
            connection.close()
        }
    }

    func testKeepaliveComments() async throws {
        let backend = FakeBackend()
        try await withRunningServer(makeServer(backend, keepalive: .milliseconds(100))) { port in
            let connection = try await openStream(port: port, backend: backend)
            let text = await connection.read(until: { $0.chunkedBody.components(separatedBy: ": keepalive\n\n").count > 3 }, seconds: 5)
            XCTAssertTrue(text.chunkedBody.hasPrefix(": connected\n\n: keepalive\n\n: keepalive\n\n: keepalive\n\n"), text)
            connection.close()
        }
    }

    func testFrameFormat() {
        XCTAssertEqual(EventStream.frame(.snapshot(.ready)), "event: snapshot\ndata: {\"snapshot\":\"ready\"}\n\n")
    }
}
