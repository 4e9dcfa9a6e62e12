import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import NotebookServer

final class AccessPolicyTests: XCTestCase {
    func testNoTokenAndWrongTokenAre403OnEveryRoute() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let routes: [(String, HTTPRequest.Method)] = [
                ("/", .get), ("/api/chapter", .get), ("/api/events", .get), ("/static/live/live.mjs", .get),
                ("/static/live/live.css", .get), ("/static/codemirror/lib/codemirror.js", .get),
                ("/static/katex/katex.min.css", .get), ("/api/cells/c1/run", .post),
                ("/api/cells/c1/interrupt", .post), ("/api/cells/c1", .put), ("/nothing", .get),
            ]
            for (uri, method) in routes {
                let body = method == .get ? nil : json(#"{"source": "x", "version": "v1"}"#)
                let none = try await client.execute(uri: uri, method: method, body: body)
                XCTAssertEqual(none.status, .forbidden, "\(method) \(uri) without a token")
                XCTAssertNotNil(none.headers[.contentSecurityPolicy], uri)
                let wrong = try await client.execute(uri: uri, method: method,
                                                     headers: [.authorization: "token " + String(testToken.reversed())],
                                                     body: body)
                XCTAssertEqual(wrong.status, .forbidden, "\(method) \(uri) with a wrong token")
                XCTAssertEqual(wrong.object["error"] as? String, "wrong token")
            }
            // Another scheme, or the token with a letter missing, is no token either.
            for value in ["Bearer \(testToken)", "token \(testToken.dropLast())", "token", testToken] {
                let response = try await client.execute(uri: "/api/chapter", method: .get, headers: [.authorization: value])
                XCTAssertEqual(response.status, .forbidden, value)
            }
        }
        XCTAssertEqual(backend.calls, [], "no refused request reached the backend")
    }

    func testTokenInQuerySetsCookieAndRedirectsThenCookieAuthenticates() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let redirect = try await client.execute(uri: "/?token=\(testToken)", method: .get)
            XCTAssertEqual(redirect.status, .found)
            XCTAssertEqual(redirect.headers[.location], "/")
            XCTAssertEqual(redirect.headers[.setCookie],
                           "d2l-token-\(port)=\(testToken); HttpOnly; SameSite=Strict; Path=/")
            XCTAssertNotNil(redirect.headers[.contentSecurityPolicy])
            XCTAssertEqual(backend.calls, [], "the redirect does not serve the page yet")

            let cookie: HTTPFields = [.cookie: "d2l-token-\(port)=\(testToken)"]
            let page = try await client.execute(uri: "/", method: .get, headers: cookie)
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.text, backend.page)
            let chapter = try await client.execute(uri: "/api/chapter", method: .get, headers: cookie)
            XCTAssertEqual(chapter.status, .ok)

            // The cookie is per port: another server's cookie does not open this one.
            let otherPort: HTTPFields = [.cookie: "d2l-token-\(port + 1)=\(testToken)"]
            let refused = try await client.execute(uri: "/", method: .get, headers: otherPort)
            XCTAssertEqual(refused.status, .forbidden)
            let wrongCookie: HTTPFields = [.cookie: "d2l-token-\(port)=\(testToken.dropLast())0"]
            let wrong = try await client.execute(uri: "/", method: .get, headers: wrongCookie)
            XCTAssertEqual(wrong.status, .forbidden)
        }
    }

    func testWrongTokenInQueryIs403WithoutCookie() async throws {
        try await makeServer(FakeBackend()).application().test(.live) { client in
            let response = try await client.execute(uri: "/?token=\(String(repeating: "0", count: 48))", method: .get)
            XCTAssertEqual(response.status, .forbidden)
            XCTAssertNil(response.headers[.setCookie])
        }
    }

    func testTokenInQueryIsRefusedOutsideTheRootPage() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            for uri in ["/api/chapter?token=\(testToken)", "/api/events?token=\(testToken)",
                        "/static/live/live.mjs?token=\(testToken)"] {
                let response = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(response.status, .forbidden, uri)
                XCTAssertNil(response.headers[.setCookie], uri)
            }
            // Even alongside a valid header: the query token is not to be used at all there.
            let both = try await client.execute(uri: "/api/chapter?token=\(testToken)", method: .get, headers: authorized())
            XCTAssertEqual(both.status, .forbidden)
            let post = try await client.execute(uri: "/?token=\(testToken)", method: .post, headers: authorized())
            XCTAssertEqual(post.status, .forbidden)
        }
        XCTAssertEqual(backend.calls, [])
    }

    func testForeignOriginOnPostAndPutIs403() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let foreign = ["http://evil.example", "http://evil.example:\(port)", "null", "http://127.0.0.1:\(port + 1)",
                           "https://127.0.0.1:\(port)", "http://localhost.evil.example:\(port)"]
            for origin in foreign {
                let headers = authorized([.origin: origin])
                let run = try await client.execute(uri: "/api/cells/c1/run", method: .post, headers: headers,
                                                   body: json(#"{"source": "x"}"#))
                XCTAssertEqual(run.status, .forbidden, origin)
                let interrupt = try await client.execute(uri: "/api/cells/c1/interrupt", method: .post, headers: headers)
                XCTAssertEqual(interrupt.status, .forbidden, origin)
                let save = try await client.execute(uri: "/api/cells/c1", method: .put, headers: headers,
                                                    body: json(#"{"source": "x", "version": "v1"}"#))
                XCTAssertEqual(save.status, .forbidden, origin)
            }
            XCTAssertEqual(backend.calls, [])

            // The page's own origins pass.
            for origin in ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "http://[::1]:\(port)"] {
                let run = try await client.execute(uri: "/api/cells/c1/run", method: .post,
                                                   headers: authorized([.origin: origin]), body: json(#"{"source": "x"}"#))
                XCTAssertEqual(run.status, .ok, origin)
            }
        }
    }

    func testCookieOnlyMutationNeedsTheOrigin() async throws {
        let backend = FakeBackend()
        try await makeServer(backend).application().test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let cookie: HTTPFields = [.cookie: "d2l-token-\(port)=\(testToken)"]
            let post = try await client.execute(uri: "/api/cells/c1/run", method: .post, headers: cookie,
                                                body: json(#"{"source": "x"}"#))
            XCTAssertEqual(post.status, .forbidden)
            XCTAssertEqual(post.object["error"] as? String, "a request authenticated by cookie must carry an Origin header")
            let put = try await client.execute(uri: "/api/cells/c1", method: .put, headers: cookie,
                                               body: json(#"{"source": "x", "version": "v1"}"#))
            XCTAssertEqual(put.status, .forbidden)
            XCTAssertEqual(backend.calls, [])

            var withOrigin = cookie
            withOrigin[.origin] = "http://localhost:\(port)"
            let allowed = try await client.execute(uri: "/api/cells/c1/run", method: .post, headers: withOrigin,
                                                   body: json(#"{"source": "x"}"#))
            XCTAssertEqual(allowed.status, .ok)
        }
        XCTAssertEqual(backend.calls, ["run c1: x"])
    }

    func testForeignHostIs403() async throws {
        let backend = FakeBackend()
        try await withRunningServer(makeServer(backend)) { port in
            let refused = ["evil.example", "evil.example:\(port)", "127.0.0.1:\(port + 1)", "localhost:\(port)x",
                           "127.0.0.2:\(port)", "[::2]:\(port)", "localhost.evil.example", "0.0.0.0:\(port)"]
            for host in refused {
                let connection = try RawHTTPConnection(port: port)
                try connection.get("/api/chapter", host: host, headers: ["Authorization: token \(testToken)", "Connection: close"])
                let response = await connection.read(until: { $0.contains("\r\n\r\n") && $0.contains("}") })
                XCTAssertEqual(response.httpStatus, 403, host)
                XCTAssertTrue(response.contains("Host header refused"), host)
            }
            XCTAssertEqual(backend.calls, [])

            for host in ["127.0.0.1", "127.0.0.1:\(port)", "localhost:\(port)", "LOCALHOST", "[::1]:\(port)", "[::1]"] {
                let connection = try RawHTTPConnection(port: port)
                try connection.get("/api/chapter", host: host, headers: ["Authorization: token \(testToken)", "Connection: close"])
                let response = await connection.read(until: { $0.contains("\"snapshot\"") })
                XCTAssertEqual(response.httpStatus, 200, host)
            }

            // A second Host header cannot smuggle a foreign name past the first.
            let smuggled = try RawHTTPConnection(port: port)
            try smuggled.get("/api/chapter", host: "127.0.0.1:\(port)",
                             headers: ["Host: evil.example", "Authorization: token \(testToken)", "Connection: close"])
            let response = await smuggled.read(until: { $0.contains("\r\n\r\n") && $0.contains("}") })
            XCTAssertNotEqual(response.httpStatus, 200)
        }
    }

    func testExplicitHostIsAcceptedAsHostAndOrigin() async throws {
        let server = makeServer(FakeBackend(), host: "192.0.2.7")
        let policy = AccessPolicy<BasicRequestContext>(token: testToken, host: server.host, port: ListeningPort())
        policy.port.set(8888)
        XCTAssertTrue(policy.authorityIsAllowed("192.0.2.7:8888", port: 8888))
        XCTAssertTrue(policy.authorityIsAllowed("localhost", port: 8888))
        XCTAssertFalse(policy.authorityIsAllowed("192.0.2.8:8888", port: 8888))
        XCTAssertFalse(policy.authorityIsAllowed("192.0.2.7:8889", port: 8888))
        XCTAssertTrue(policy.allowedOrigins(port: 8888).contains("http://192.0.2.7:8888"))
        XCTAssertFalse(policy.allowedOrigins(port: 8888).contains("http://192.0.2.8:8888"))

        let loopbackOnly = AccessPolicy<BasicRequestContext>(token: testToken, host: "127.0.0.1", port: ListeningPort())
        XCTAssertFalse(loopbackOnly.authorityIsAllowed("192.0.2.7:8888", port: 8888))
        let ipv6 = AccessPolicy<BasicRequestContext>(token: testToken, host: "fd00::5", port: ListeningPort())
        XCTAssertTrue(ipv6.authorityIsAllowed("[fd00::5]:8888", port: 8888))
    }

    func testConstantTimeCompare() {
        XCTAssertTrue(AccessPolicy<BasicRequestContext>.constantTimeEqual(testToken, testToken))
        XCTAssertFalse(AccessPolicy<BasicRequestContext>.constantTimeEqual(testToken, String(testToken.dropLast())))
        XCTAssertFalse(AccessPolicy<BasicRequestContext>.constantTimeEqual(testToken, testToken + "0"))
        XCTAssertFalse(AccessPolicy<BasicRequestContext>.constantTimeEqual(testToken, String(testToken.dropLast()) + "e"))
        XCTAssertFalse(AccessPolicy<BasicRequestContext>.constantTimeEqual("", testToken))
    }
}
