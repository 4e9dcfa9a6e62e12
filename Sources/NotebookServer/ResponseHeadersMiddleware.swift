import HTTPTypes
import Hummingbird

/// Puts the security headers on every response, refusals and 404s included, and turns errors
/// into JSON `{"error": ...}` answers.
///
/// It must do the error conversion itself: Hummingbird's router turns thrown errors into
/// responses outside the middleware chain, where these headers would be missing.
struct ResponseHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The page loads only its own scripts, styles and fonts (no inline script: an injected
    /// `<script>` in a cell's output cannot run), talks only to this server, and cannot be framed.
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as HTTPError {
            response = JSONResponse.error(error.status, error.body ?? error.status.reasonPhrase)
            // An error's own headers (Allow, ...) still apply.
            for field in error.headers where field.name != .contentType && field.name != .contentLength {
                response.headers.append(field)
            }
        } catch let error as any HTTPResponseError {
            // Hummingbird's body limit throws such errors (413).
            response = JSONResponse.error(error.status, error.status.reasonPhrase)
        } catch {
            response = JSONResponse.error(.internalServerError, "\(error)")
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }
}

extension HTTPField.Name {
    /// Not among HTTPTypes' names (Content-Security-Policy and X-Content-Type-Options are).
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
