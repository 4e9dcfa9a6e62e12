import CZeroMQ
import Foundation
@testable import JupyterKernel

/// A minimal Jupyter front end over ZeroMQ for the end-to-end tests: DEALER sockets for shell
/// and control, SUB for iopub, REQ for the heartbeat, as jupyter_client connects them.
final class KernelClient {
    let connection: ConnectionFile
    private let context: ZMQContext
    let shell: ZMQSocket
    let control: ZMQSocket
    let iopub: ZMQSocket
    let heartbeat: ZMQSocket
    private let codec: WireCodec
    private let session = UUID().uuidString

    init(_ connection: ConnectionFile) throws {
        self.connection = connection
        codec = WireCodec(key: connection.key)
        context = try ZMQContext()
        shell = try ZMQSocket(context, type: ZMQ_DEALER)
        control = try ZMQSocket(context, type: ZMQ_DEALER)
        iopub = try ZMQSocket(context, type: ZMQ_SUB)
        heartbeat = try ZMQSocket(context, type: ZMQ_REQ)
        try iopub.setOption(ZMQ_SUBSCRIBE, Data())
        try shell.connect(connection.endpoint(port: connection.shellPort))
        try control.connect(connection.endpoint(port: connection.controlPort))
        try iopub.connect(connection.endpoint(port: connection.iopubPort))
        try heartbeat.connect(connection.endpoint(port: connection.heartbeatPort))
    }

    deinit {
        for socket in [shell, control, iopub, heartbeat] { socket.close(lingerMilliseconds: 0) }
        context.terminate()
    }

    /// Sends a request signed with `key` (the connection's by default); returns its msg_id.
    @discardableResult
    func send(_ type: String, _ content: JSONValue = [:], on socket: ZMQSocket, key: String? = nil) throws -> String {
        let header = MessageHeader(session: session, username: "test", messageType: type)
        let signer = key.map { WireCodec(key: $0) } ?? codec
        try socket.send(signer.encode(Message(header: header, content: content)))
        return header.messageID
    }

    /// The next message on `socket`, or nil after `timeout` seconds.
    func receive(on socket: ZMQSocket, timeout: Double = 10) throws -> Message? {
        let (readable, _) = try ZMQSocket.poll(sockets: [socket], timeout: Int(timeout * 1000))
        guard readable[0], let frames = try socket.receive(dontWait: true) else { return nil }
        // iopub's topic frame comes before the delimiter, where the codec keeps identities.
        return try codec.decode(frames)
    }

    /// iopub messages whose parent is `requestID`, up to and including its `idle` status.
    func iopubMessages(for requestID: String, timeout: Double = 10) throws -> [Message] {
        var found: [Message] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, let message = try receive(on: iopub, timeout: deadline.timeIntervalSinceNow) {
            guard message.parentHeader["msg_id"]?.stringValue == requestID else { continue }
            found.append(message)
            if message.type == "status", message.content["execution_state"] == "idle" { break }
        }
        return found
    }

    /// As nbclient's `wait_for_ready`: sends kernel_info until a reply arrives *and* iopub
    /// delivers (a SUB socket misses what is published before it is connected).
    func waitForReady(timeout: Double = 20) throws -> Message? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let id = try send("kernel_info_request", on: shell)
            guard let reply = try receive(on: shell, timeout: 1), reply.parentHeader["msg_id"]?.stringValue == id else { continue }
            if let status = try receive(on: iopub, timeout: 0.5), status.type == "status" { return reply }
        }
        return nil
    }
}
