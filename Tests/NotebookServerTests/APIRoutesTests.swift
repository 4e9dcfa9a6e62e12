import Foundation
import Hummingbird
import HummingbirdTesting
import Notebook
import XCTest
@testable import NotebookServer

final class APIRoutesTests: XCTestCase {
    func testPageIsTheBackendsHTMLWithSecurityHeaders() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let response = try await client.execute(uri: "/", method: .get, headers: authorized())
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.text, backend.page)
            XCTAssertEqual(response.headers[.contentType], "text/html; charset=utf-8")
            XCTAssertEqual(response.headers[.contentSecurityPolicy],
                           "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               + "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
            XCTAssertEqual(response.headers[.xContentTypeOptions], "nosniff")
            XCTAssertEqual(response.headers[.referrerPolicy], "no-referrer")
        }
        XCTAssertEqual(backend.calls, ["page"])
    }

    func testChapterStateIsSortedJSONWithEachCellsOutputsAsHTML() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let response = try await client.execute(uri: "/api/chapter", method: .get, headers: authorized())
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "application/json; charset=utf-8")
            let state = try JSONDecoder().decode(LiveChapterState.self, from: Data(response.body.readableBytesView))
            var expected = backend.chapterState()
            XCTAssertEqual(expected.cells[0].html, "<pre>1</pre>", "what the backend said, replaced at the server's edge")
            expected.cells[0].html = "<pre class=\"output stdout\">1\n</pre>\n"
            XCTAssertEqual(state, expected)
            // Sorted keys: "cells" comes before "path", "snapshot" and "version".
            let text = response.text
            let cells = try XCTUnwrap(text.range(of: "\"cells\""))
            let version = try XCTUnwrap(text.range(of: "\"version\""))
            XCTAssertLessThan(cells.lowerBound, version.lowerBound)
        }
    }

    func testRunAnswersTheBackendsRun() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let response = try await client.execute(uri: "/api/cells/c1/run", method: .post, headers: authorized(),
                                                    body: json(#"{"source": "print(2)"}"#))
            XCTAssertEqual(response.status, .ok)
            let answer = try JSONDecoder().decode(LiveRunAnswer.self, from: Data(response.body.readableBytesView))
            XCTAssertEqual(answer.status, .ran)
            XCTAssertEqual(answer.outputs, [LiveOutput(type: "stdout", text: "ran print(2)")])
            XCTAssertEqual(answer.seconds, 0.25)
        }
        XCTAssertEqual(backend.calls, ["run c1: print(2)"])
    }

    func testRunOfUnknownCellIs404AndOfListingIs400() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let unknown = try await client.execute(uri: "/api/cells/nope/run", method: .post, headers: authorized(),
                                                   body: json(#"{"source": ""}"#))
            XCTAssertEqual(unknown.status, .notFound)
            XCTAssertEqual(unknown.object["error"] as? String, "no cell has the id 'nope'")
            let listing = try await client.execute(uri: "/api/cells/listing/run", method: .post, headers: authorized(),
                                                   body: json(#"{"source": ""}"#))
            XCTAssertEqual(listing.status, .badRequest)
            XCTAssertEqual(listing.object["error"] as? String, LiveSessionError.notRunnable("listing").description)
        }
    }

    func testMalformedBodiesAre400AndNeverReachTheBackend() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            for body in ["not json", #"{"src": "x"}"#, #"{"source": 3}"#, ""] {
                let response = try await client.execute(uri: "/api/cells/c1/run", method: .post, headers: authorized(),
                                                        body: json(body))
                XCTAssertEqual(response.status, .badRequest, body)
                XCTAssertNotNil(response.object["error"] as? String, body)
            }
            let save = try await client.execute(uri: "/api/cells/c1", method: .put, headers: authorized(),
                                                body: json(#"{"source": "x"}"#))
            XCTAssertEqual(save.status, .badRequest)
            XCTAssertEqual(save.object["error"] as? String, "malformed request body: missing field 'version'")
        }
        XCTAssertEqual(backend.calls, [])
    }

    func testBodyOverTheUploadLimitIs413() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let source = String(repeating: "x", count: 3 * 1024 * 1024)
            let response = try await client.execute(uri: "/api/cells/c1/run", method: .post, headers: authorized(),
                                                    body: json(#"{"source": "\#(source)"}"#))
            XCTAssertEqual(response.status, .contentTooLarge)
        }
        XCTAssertEqual(backend.calls, [])
    }

    func testInterruptStopsABlockedRun() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let port = try XCTUnwrap(client.port)
            async let run = client.execute(uri: "/api/cells/blocking/run", method: .post, headers: authorized(),
                                           body: json(#"{"source": "while true {}"}"#))
            let started = await eventually { backend.isRunWaiting }
            XCTAssertTrue(started)
            // The first connection waits for its run: the interrupt comes on another, as from
            // the page.
            let interrupt = try await TestClient.withClient(host: "localhost", port: port) { other in
                try await other.execute(.init("/api/cells/blocking/interrupt", method: .post, authority: "localhost",
                                              headers: authorized(), body: ByteBuffer()))
            }
            XCTAssertEqual(interrupt.status, .ok)
            XCTAssertEqual(interrupt.body.map { String(buffer: $0) }, #"{"interrupted":true}"#)
            let answer = try await run
            XCTAssertEqual(answer.status, .ok)
            XCTAssertEqual(answer.object["status"] as? String, "failed")

            let again = try await client.execute(uri: "/api/cells/blocking/interrupt", method: .post, headers: authorized())
            XCTAssertEqual(again.text, #"{"interrupted":false}"#)
        }
        XCTAssertEqual(backend.calls, ["run blocking: while true {}", "interrupt blocking", "interrupt blocking"])
    }

    func testSaveAnswersTheNewVersion() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let response = try await client.execute(uri: "/api/cells/c1", method: .put, headers: authorized(),
                                                    body: json(#"{"source": "print(3)", "version": "v1"}"#))
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.text, #"{"version":"v2"}"#)
        }
        XCTAssertEqual(backend.calls, ["save c1 @v1: print(3)"])
    }

    func testSaveRefusalsAre409With404And422() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let stale = try await client.execute(uri: "/api/cells/c1", method: .put, headers: authorized(),
                                                 body: json(#"{"source": "x", "version": "v0"}"#))
            XCTAssertEqual(stale.status, .conflict)
            XCTAssertEqual(stale.object["version"] as? String, "v1")
            XCTAssertEqual(stale.object["error"] as? String,
                           LiveSessionError.versionConflict(expected: "v0", current: "v1").description)

            let unknown = try await client.execute(uri: "/api/cells/nope", method: .put, headers: authorized(),
                                                   body: json(#"{"source": "x", "version": "v1"}"#))
            XCTAssertEqual(unknown.status, .notFound)

            let unsavable = try await client.execute(uri: "/api/cells/c1", method: .put, headers: authorized(),
                                                     body: json(#"{"source": "```", "version": "v1"}"#))
            XCTAssertEqual(unsavable.status, .unprocessableContent)
            XCTAssertEqual(unsavable.object["error"] as? String, "the source would close the cell's fence")
        }
    }

    func testUnknownRoutesAre404WithSecurityHeaders() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            for uri in ["/api", "/api/nothing", "/static/other/x.js", "/index.html"] {
                let response = try await client.execute(uri: uri, method: .get, headers: authorized())
                XCTAssertEqual(response.status, .notFound, uri)
                XCTAssertEqual(response.headers[.contentType], "application/json; charset=utf-8", uri)
                XCTAssertNotNil(response.headers[.contentSecurityPolicy], uri)
            }
            let delete = try await client.execute(uri: "/api/cells/c1", method: .delete, headers: authorized())
            XCTAssertEqual(delete.status, .notFound)
        }
    }
}
