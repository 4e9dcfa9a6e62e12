import Foundation
import Hummingbird

/// JSON bodies of the API: answers and `{"error": message}` refusals.
enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    /// `value` encoded with sorted keys, so answers are stable for scripts and tests.
    static func encode<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return response(data, status: status)
    }

    /// A refusal: `{"error": message}` plus any `extra` string fields (a 409 carries the file's
    /// current version).
    static func error(_ status: HTTPResponse.Status, _ message: String, extra: [String: String] = [:]) -> Response {
        var fields = extra
        fields["error"] = message
        return encode(fields, status: status)
    }

    private static func response(_ data: Data, status: HTTPResponse.Status) -> Response {
        Response(status: status,
                 headers: [.contentType: contentType],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A refusal thrown from a handler or the access policy, answered as `{"error": message}` by
/// ``ResponseHeadersMiddleware``.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var extra: [String: String] = [:]

    init(_ status: HTTPResponse.Status, _ message: String, extra: [String: String] = [:]) {
        self.status = status
        self.message = message
        self.extra = extra
    }

    /// `{"error": message, ...extra}` with the error's status, wherever Hummingbird turns it
    /// into a response.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.error(status, message, extra: extra)
    }
}
