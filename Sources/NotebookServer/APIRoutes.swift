import Foundation
import Hummingbird
import Notebook
import ServiceLifecycle

/// The page and the JSON API: read the chapter, run, interrupt and save cells.
struct APIRoutes {
    let backend: any NotebookBackend

    struct RunRequest: Decodable {
        var source: String
    }

    struct SaveRequest: Decodable {
        var source: String
        var version: String
    }

    func add(to router: Router<some RequestContext>) {
        let backend = self.backend
        router.get("/") { _, _ -> Response in
            Response(status: .ok,
                     headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: await backend.pageHTML())))
        }
        router.get("/api/chapter") { _, _ -> Response in
            JSONResponse.encode(OutputsHTML.rendered(await backend.chapterState()))
        }
        router.post("/api/cells/:id/run") { request, context -> Response in
            let id = try Self.cellID(context)
            let body = try await Self.decode(RunRequest.self, request, context)
            do {
                // A shutdown waits for requests in flight: a cell training for minutes would
                // hold Ctrl-C up, so it is interrupted and its request answers at once.
                let answer = try await withGracefulShutdownHandler {
                    try await backend.run(cellID: id, source: body.source)
                } onGracefulShutdown: {
                    Task { _ = await backend.interrupt(cellID: id) }
                }
                return JSONResponse.encode(OutputsHTML.rendered(answer))
            } catch let error as LiveSessionError {
                throw Self.refusal(error)
            }
        }
        router.post("/api/cells/:id/interrupt") { _, context -> Response in
            let id = try Self.cellID(context)
            return JSONResponse.encode(["interrupted": await backend.interrupt(cellID: id)])
        }
        router.put("/api/cells/:id") { request, context -> Response in
            let id = try Self.cellID(context)
            let body = try await Self.decode(SaveRequest.self, request, context)
            do {
                let version = try await backend.save(cellID: id, source: body.source, version: body.version)
                return JSONResponse.encode(["version": version])
            } catch let error as LiveSessionError {
                throw Self.refusal(error)
            }
        }
    }

    /// The session's refusals as HTTP statuses: a 409 carries the file's current version so the
    /// page can offer to reload.
    static func refusal(_ error: LiveSessionError) -> APIError {
        switch error {
        case .unknownCell: return APIError(.notFound, error.description)
        case .notRunnable: return APIError(.badRequest, error.description)
        case let .versionConflict(_, current): return APIError(.conflict, error.description, extra: ["version": current])
        case .unsavable: return APIError(.unprocessableContent, error.description)
        }
    }

    static func cellID(_ context: some RequestContext) throws -> String {
        guard let raw = context.parameters.get("id") else { throw APIError(.notFound, "no cell id") }
        return raw.removingPercentEncoding ?? raw
    }

    /// The JSON body, at most the context's upload limit (2 MiB; beyond it Hummingbird answers
    /// 413); a body that is not the expected JSON is a 400.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: some RequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, "malformed request body: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case let .keyNotFound(key, _)?: return "missing field '\(key.stringValue)'"
        case let .typeMismatch(_, context)?: return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted?: return "not JSON"
        default: return "\(error)"
        }
    }
}
