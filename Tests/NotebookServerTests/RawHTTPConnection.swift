import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection for what Hummingbird's test client cannot do: send any Host header,
/// read a response that never ends (server-sent events), and hang up in the middle of one.
/// Blocking calls run on Dispatch threads, away from Swift's cooperative pool.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var received = Data()
    private var closedByPeer = false

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Connects to `address:port` (IPv4).
    init(address: String = "127.0.0.1", port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &addr.sin_addr)
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect to \(address):\(port) failed (errno \(errno))")
        }
        // Reads wake up regularly so a reader can give up at its deadline.
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed") }
            sent += n
        }
    }

    /// A GET with the given Host and extra header lines.
    func get(_ path: String, host: String, headers: [String] = []) throws {
        try send((["GET \(path) HTTP/1.1", "Host: \(host)"] + headers).joined(separator: "\r\n") + "\r\n\r\n")
    }

    /// Reads until `condition` holds on everything received so far, the peer closes, or
    /// `seconds` pass; answers the text received.
    @discardableResult
    func read(until condition: @escaping @Sendable (String) -> Bool, seconds: Double = 10) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(seconds)
                var buffer = [UInt8](repeating: 0, count: 65536)
                while Date() < deadline {
                    if condition(self.text) || self.isClosedByPeer { break }
                    let n = recv(self.fd, &buffer, buffer.count, 0)
                    if n > 0 {
                        self.lock.withLock { self.received.append(contentsOf: buffer[0..<n]) }
                    } else if n == 0 {
                        self.lock.withLock { self.closedByPeer = true }
                    }
                }
                continuation.resume(returning: self.text)
            }
        }
    }

    /// Everything received so far.
    var text: String { lock.withLock { String(decoding: received, as: UTF8.self) } }
    /// Whether the server closed the connection (a read returned end of file).
    var isClosedByPeer: Bool { lock.withLock { closedByPeer } }

    /// Hangs up, as a browser tab that is closed.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

extension String {
    /// The body of a chunked HTTP/1.1 response received so far (complete chunks only).
    var chunkedBody: String {
        let bytes = Array(utf8)
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: Array("\r\n\r\n".utf8)) }) else { return "" }
        var index = headEnd + 4
        var body: [UInt8] = []
        while let lineEnd = bytes[index...].indices.first(where: { bytes[$0...].starts(with: [13, 10]) }),
              let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16), size > 0,
              lineEnd + 2 + size <= bytes.count {
            body += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
            if index >= bytes.count { break }
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// The status code of an HTTP/1.1 response's first line.
    var httpStatus: Int? {
        guard hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(dropFirst(9).prefix(3))
    }
}
