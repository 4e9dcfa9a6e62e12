import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The HTTP server of `d2l-run serve`: the live chapter page, its JSON API and its event stream,
/// over a ``NotebookBackend``.
///
/// A local server is a door into the machine (it runs code), so every request must carry the
/// token (see ``AccessPolicy``), name a loopback host, and mutating requests must come from the
/// page's own origin.
public struct NotebookServer: Sendable {
    /// The secret every request must present: `Authorization: token <token>`, the cookie set by
    /// `GET /?token=<token>`, or that query on `GET /` only.
    public let token: String
    let backend: any NotebookBackend
    let host: String
    let requestedPort: Int
    let staticRoots: StaticRoots
    let keepaliveInterval: Duration

    /// - Parameters:
    ///   - backend: the live session the routes call.
    ///   - host: the address to listen on; the default keeps the server on this machine.
    ///   - port: the port to listen on; 0 picks a free one (``run(onReady:)`` reports it).
    ///   - token: the secret; a fresh random one by default.
    public init(backend: NotebookBackend, host: String = "127.0.0.1", port: Int = 0,
                token: String = NotebookServer.newToken()) {
        self.init(backend: backend, host: host, port: port, token: token,
                  staticRoots: .system, keepaliveInterval: .seconds(15))
    }

    /// Tests point the static folders at temporary copies and shorten the keep-alive period.
    init(backend: NotebookBackend, host: String, port: Int, token: String,
         staticRoots: StaticRoots, keepaliveInterval: Duration) {
        self.backend = backend
        self.host = host
        self.requestedPort = port
        self.token = token
        self.staticRoots = staticRoots
        self.keepaliveInterval = keepaliveInterval
    }

    /// A new token: 48 hexadecimal characters from 24 random bytes of the system's
    /// cryptographically secure generator (as Jupyter's `os.urandom(24)`).
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }

    /// Serves until the task is cancelled or the process gets SIGINT or SIGTERM, then shuts the
    /// backend down. Either way the shutdown is graceful: open event streams end, cells still
    /// running are interrupted so their requests answer, and after
    /// ``gracefulShutdownLimit`` whatever is left is cancelled.
    /// - Parameter onReady: called once the server listens, with the real port.
    public func run(onReady: @escaping @Sendable (_ port: Int) -> Void) async throws {
        let app = application(onReady: onReady)
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: app.logger)
        configuration.maximumGracefulShutdownDuration = Self.gracefulShutdownLimit
        let group = ServiceGroup(configuration: configuration)
        // The group runs in a task of its own, which does not inherit our cancellation:
        // cancelling `run` then asks for the same graceful shutdown as Ctrl-C, instead of
        // tearing connections down mid-response.
        let serving = Task { try await group.run() }
        var failure: Error?
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                Task { await group.triggerGracefulShutdown() }
            }
        } catch {
            failure = error
        }
        // The backend owns processes (the snapshot, running cells): they must not outlive the
        // server however it stops.
        await backend.shutdown()
        if let failure { throw failure }
    }

    /// How long a graceful shutdown may take before the server's tasks are cancelled.
    static let gracefulShutdownLimit: Duration = .seconds(5)

    /// The Hummingbird application: routes, access policy and response headers. ``run(onReady:)``
    /// runs it; tests drive it with `HummingbirdTesting`.
    func application(onReady: @escaping @Sendable (_ port: Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let listeningPort = ListeningPort()
        let router = makeRouter(listeningPort: listeningPort)
        var logger = Logger(label: "d2l-serve")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: requestedPort),
                                                    serverName: nil),
            onServerRunning: { channel in
                // Port 0 asks the system for a free port: only the channel knows which one, and
                // the Host and Origin checks and the cookie's name need it.
                let port = channel.localAddress?.port ?? requestedPort
                listeningPort.set(port)
                onReady(port)
            },
            logger: logger
        )
    }

    func makeRouter(listeningPort: ListeningPort) -> Router<BasicRequestContext> {
        let router = Router()
        // Outermost first: the headers must be on refusals too, so they wrap the policy.
        router.add(middleware: ResponseHeadersMiddleware())
        router.add(middleware: AccessPolicy(token: token, host: host, port: listeningPort))
        APIRoutes(backend: backend).add(to: router)
        EventStream(backend: backend, keepaliveInterval: keepaliveInterval).add(to: router)
        StaticFiles(roots: staticRoots).add(to: router)
        return router
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
