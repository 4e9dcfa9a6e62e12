import Foundation
import HTTPTypes
import Hummingbird

/// Who may use the server. The server runs code on this machine, so any web page the user
/// visits, or another user of the machine, must not be able to drive it:
///
/// - The Host header must name this server by a loopback name (or the explicit `host` it was
///   started with): a page on `evil.example` whose DNS later points at 127.0.0.1 (DNS
///   rebinding) sends `Host: evil.example` and is refused.
/// - Every request carries the token, as `Authorization: token T` (scripts) or as the cookie
///   `d2l-token-<port>` (the browser). `GET /?token=T` sets the cookie and redirects to `/`, so
///   the token leaves the address bar; a token in the query is refused anywhere else, where it
///   would only end up in logs and histories.
/// - A mutating request with an `Origin` must come from this server's own origin; one that
///   authenticates by cookie alone must carry an `Origin` (browsers always send it with
///   `fetch` POST and PUT; scripts use the header), so a cross-site form cannot ride the cookie.
struct AccessPolicy<Context: RequestContext>: RouterMiddleware {
    let token: String
    /// The address the server listens on, accepted as a Host name when it is not a loopback one.
    let host: String
    let port: ListeningPort

    static func cookieName(port: Int?) -> String { "d2l-token-\(port.map(String.init) ?? "0")" }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let port = self.port.port
        guard hostIsAllowed(request, port: port) else {
            throw APIError(.forbidden, "this server answers only to its loopback address (Host header refused)")
        }
        let queryToken = request.uri.queryParameters.getAll("token")
        if !queryToken.isEmpty {
            // Only the page's own address may carry the token, and only to trade it for a cookie.
            guard request.method == .get, request.uri.path == "/" else {
                throw APIError(.forbidden, "the token is accepted in the query only on GET /")
            }
            guard queryToken.count == 1, Self.constantTimeEqual(queryToken[0], token) else {
                throw APIError(.forbidden, "wrong token")
            }
            var response = Response(status: .found, headers: [.location: "/"])
            response.headers[.setCookie] = "\(Self.cookieName(port: port))=\(token); HttpOnly; SameSite=Strict; Path=/"
            response.headers[.cacheControl] = "no-store"
            return response
        }

        let headerValid = authorizationToken(request).map { Self.constantTimeEqual($0, token) }
        if headerValid == false {
            throw APIError(.forbidden, "wrong token")
        }
        let cookieValid = request.cookies[Self.cookieName(port: port)].map { Self.constantTimeEqual($0.value, token) } ?? false
        guard headerValid == true || cookieValid else {
            throw APIError(.forbidden, "a token is required: open the address d2l-run serve printed (it ends with ?token=...)")
        }

        if Self.isMutating(request.method) {
            if let origin = request.headers[.origin] {
                guard allowedOrigins(port: port).contains(origin) else {
                    throw APIError(.forbidden, "cross-origin request refused (Origin \(origin))")
                }
            } else if headerValid != true {
                // A browser always sends Origin on fetch POST/PUT; a cookie without one is an
                // old-style form or some other forged request.
                throw APIError(.forbidden, "a request authenticated by cookie must carry an Origin header")
            }
        }
        return try await next(request, context)
    }

    static func isMutating(_ method: HTTPRequest.Method) -> Bool {
        method == .post || method == .put || method == .delete || method == .patch
    }

    /// The token of an `Authorization: token T` header, if there is one.
    func authorizationToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "token" else { return "" }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// Host names this server answers to, in Host-header form (IPv6 in brackets), lowercased.
    var allowedHostNames: Set<String> {
        var names: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
        names.insert(Self.hostHeaderForm(host).lowercased())
        return names
    }

    static func hostHeaderForm(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    func allowedOrigins(port: Int?) -> Set<String> {
        guard let port else { return [] }
        return Set(allowedHostNames.map { "http://\($0):\(port)" })
    }

    /// Whether `authority` (a Host header value) names this server: an allowed host name, with
    /// no port or the port the server listens on.
    func authorityIsAllowed(_ authority: String, port: Int?) -> Bool {
        let value = authority.lowercased()
        let name: Substring
        let portText: Substring?
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return false }
            name = value[...close]
            let rest = value[value.index(after: close)...]
            if rest.isEmpty {
                portText = nil
            } else {
                guard rest.hasPrefix(":") else { return false }
                portText = rest.dropFirst()
            }
        } else if let colon = value.firstIndex(of: ":") {
            name = value[..<colon]
            portText = value[value.index(after: colon)...]
        } else {
            name = value[...]
            portText = nil
        }
        guard allowedHostNames.contains(String(name)) else { return false }
        if let portText {
            guard let port, portText.allSatisfy(\.isASCII), Int(portText) == port else { return false }
        }
        return true
    }

    /// The request's authority (HTTP/1's first Host header) and any further Host header must all
    /// name this server; a request without one is refused.
    func hostIsAllowed(_ request: Request, port: Int?) -> Bool {
        guard let authority = request.head.authority, authorityIsAllowed(authority, port: port) else { return false }
        return request.headers[values: Self.hostField].allSatisfy { authorityIsAllowed($0, port: port) }
    }

    /// HTTPTypes hides `.host` (HTTP/1's first Host header becomes the authority); a second one
    /// stays among the fields under this name.
    static var hostField: HTTPField.Name { HTTPField.Name("Host")! }

    /// Compares without stopping at the first difference, so the time taken does not tell an
    /// attacker how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        difference |= x.count == y.count ? 0 : 1
        for index in 0..<max(x.count, y.count) {
            let p = index < x.count ? x[index] : 0
            let q = index < y.count ? y[index] : 0
            difference |= p ^ q
        }
        return difference == 0
    }
}
