import CZeroMQ
import Foundation

/// A ZeroMQ context: owns the I/O threads of every socket made from it.
///
/// ZeroMQ contexts are not fork-safe; the process that holds one must never fork (the kernel
/// runs cells in a separate child process for this reason).
final class ZMQContext: @unchecked Sendable {  // ZeroMQ contexts are thread-safe; it holds nothing else
    let handle: UnsafeMutableRawPointer

    init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets return ETERM, so that the threads
    /// blocked in them can close their sockets.
    func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// Waits until every socket is closed and its pending messages sent (up to its linger).
    func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

/// One ZeroMQ socket. Like ZeroMQ's own, it must be used by one thread at a time.
final class ZMQSocket: @unchecked Sendable {  // one thread at a time, as ZeroMQ requires: its owner's
    let handle: UnsafeMutableRawPointer

    init(_ context: ZMQContext, type: Int32) throws {
        guard let handle = zmq_socket(context.handle, type) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
    }

    func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    func setOption(_ option: Int32, _ value: Data) throws {
        let result = value.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, value.count) }
        guard result == 0 else { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    func bind(_ endpoint: String) throws {
        if endpoint.hasPrefix("tcp://[") { try setOption(ZMQ_IPV6, 1) }
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("cannot bind \(endpoint)") }
    }

    func connect(_ endpoint: String) throws {
        if endpoint.hasPrefix("tcp://[") { try setOption(ZMQ_IPV6, 1) }
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("cannot connect to \(endpoint)") }
    }

    /// Sends `frames` as one multipart message (blocking until queued).
    func send(_ frames: [Data]) throws {
        for (index, frame) in frames.enumerated() {
            let flags = index == frames.count - 1 ? 0 : ZMQ_SNDMORE
            var result: Int32
            repeat {
                result = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, frame.count, flags) }
            } while result < 0 && zmq_errno() == EINTR
            guard result >= 0 else { throw ZMQError.last("zmq_send") }
        }
    }

    /// Receives one whole multipart message; blocks unless `dontWait`, then nil if none waits.
    func receive(dontWait: Bool = false) throws -> [Data]? {
        var frames: [Data] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            var result: Int32
            repeat {
                result = zmq_msg_recv(&message, handle, dontWait ? ZMQ_DONTWAIT : 0)
            } while result < 0 && zmq_errno() == EINTR
            if result < 0 {
                if zmq_errno() == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError.last("zmq_msg_recv")
            }
            frames.append(Data(bytes: zmq_msg_data(&message), count: zmq_msg_size(&message)))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    func close(lingerMilliseconds: Int32) {
        try? setOption(ZMQ_LINGER, lingerMilliseconds)
        zmq_close(handle)
    }

    /// Waits until one of `sockets` or `fileDescriptors` is readable, or `timeout` (ms, -1:
    /// forever) passes; returns which sockets and descriptors are readable.
    static func poll(sockets: [ZMQSocket], fileDescriptors: [Int32] = [], timeout: Int) throws -> (sockets: [Bool], fileDescriptors: [Bool]) {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
            + fileDescriptors.map { zmq_pollitem_t(socket: nil, fd: $0, events: Int16(ZMQ_POLLIN), revents: 0) }
        var result: Int32
        repeat {
            result = zmq_poll(&items, Int32(items.count), timeout)
        } while result < 0 && zmq_errno() == EINTR
        guard result >= 0 else { throw ZMQError.last("zmq_poll") }
        let readable = items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
        return (Array(readable.prefix(sockets.count)), Array(readable.dropFirst(sockets.count)))
    }
}

/// A failed ZeroMQ call, with ZeroMQ's own words for why.
struct ZMQError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    static func last(_ call: String) -> ZMQError { ZMQError(call: call, code: zmq_errno()) }

    /// Whether the context was shut down: the normal end of a blocking call at exit.
    var isTerminated: Bool { code == ETERM }

    var description: String { "\(call): \(String(cString: zmq_strerror(code)))" }
}
