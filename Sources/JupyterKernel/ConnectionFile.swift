import Foundation

/// The connection file Jupyter writes for a kernel: where to bind and how to sign.
///
/// ```json
/// {"transport": "tcp", "ip": "127.0.0.1", "shell_port": 53794, "iopub_port": 53795,
///  "stdin_port": 53796, "control_port": 53797, "hb_port": 53798,
///  "signature_scheme": "hmac-sha256", "key": "a0436f6c-..."}
/// ```
public struct ConnectionFile: Equatable, Sendable {
    /// `tcp` or `ipc`.
    public var transport: String
    /// The address (tcp) or path prefix (ipc) to bind; the kernel binds nothing else.
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var heartbeatPort: Int
    /// The key messages are signed with; empty means unsigned messages, as in jupyter_client.
    public var key: String

    /// The one signature scheme supported: what jupyter_client writes by default.
    public static let supportedScheme = "hmac-sha256"

    public init(transport: String = "tcp", ip: String, shellPort: Int, iopubPort: Int, stdinPort: Int,
                controlPort: Int, heartbeatPort: Int, key: String) {
        self.transport = transport
        self.ip = ip
        self.shellPort = shellPort
        self.iopubPort = iopubPort
        self.stdinPort = stdinPort
        self.controlPort = controlPort
        self.heartbeatPort = heartbeatPort
        self.key = key
    }

    /// Reads and checks the connection file at `path`.
    ///
    /// - Throws: `ConnectionFileError`, whose message names the file and the field at fault.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConnectionFileError(path: path, problem: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(json: data, path: path)
    }

    /// Parses a connection file's JSON; `path` only names the file in errors.
    public init(json data: Data, path: String) throws {
        guard let document = try? JSONValue.decode(data), let fields = document.objectValue else {
            throw ConnectionFileError(path: path, problem: "is not a JSON object")
        }
        func string(_ name: String, default fallback: String? = nil) throws -> String {
            guard let field = fields[name] else {
                if let fallback { return fallback }
                throw ConnectionFileError(path: path, problem: "has no \"\(name)\"")
            }
            guard let value = field.stringValue else {
                throw ConnectionFileError(path: path, problem: "\"\(name)\" is not a string")
            }
            return value
        }
        func port(_ name: String) throws -> Int {
            guard let field = fields[name] else { throw ConnectionFileError(path: path, problem: "has no \"\(name)\"") }
            // A port of 0 would mean "pick one", but the client that wrote the file could not
            // learn which: Jupyter always writes the ports it chose.
            guard let value = field.intValue, (1...65535).contains(value) else {
                throw ConnectionFileError(path: path, problem: "\"\(name)\" is not a port number from 1 to 65535")
            }
            return value
        }
        let transport = try string("transport", default: "tcp")
        guard transport == "tcp" || transport == "ipc" else {
            throw ConnectionFileError(path: path, problem: "has transport \"\(transport)\"; this kernel supports tcp and ipc")
        }
        // jupyter_client's Session reads an absent scheme as hmac-sha256.
        let scheme = try string("signature_scheme", default: Self.supportedScheme)
        guard scheme == Self.supportedScheme else {
            throw ConnectionFileError(path: path, problem: "has signature_scheme \"\(scheme)\"; this kernel supports only \(Self.supportedScheme)")
        }
        self.init(transport: transport, ip: try string("ip"),
                  shellPort: try port("shell_port"), iopubPort: try port("iopub_port"),
                  stdinPort: try port("stdin_port"), controlPort: try port("control_port"),
                  heartbeatPort: try port("hb_port"), key: try string("key", default: ""))
    }

    /// The ZeroMQ endpoint for `port`, as jupyter_client spells it for each transport (an
    /// IPv6 address in brackets, as ZeroMQ wants it).
    public func endpoint(port: Int) -> String {
        if transport == "ipc" { return "ipc://\(ip)-\(port)" }
        return ip.contains(":") && !ip.hasPrefix("[") ? "tcp://[\(ip)]:\(port)" : "tcp://\(ip):\(port)"
    }
}

/// A connection file that cannot be used, named with what is wrong with it.
public struct ConnectionFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String

    public var description: String { "connection file \(path) \(problem)" }
}
