import Foundation
@testable import JupyterKernel
import JupyterKernelTestSupport
import XCTest

/// The protocol logic without sockets: frames in, frames out.
final class KernelServerTests: XCTestCase {
    static let key = "test-key"
    let info = KernelInfo(implementationVersion: "9.9", languageVersion: "6.3", banner: "hello")

    /// What the server sent, decoded, in order.
    final class Outbox: @unchecked Sendable {
        private let lock = NSLock()
        private var sent: [(KernelChannel, Message)] = []
        private var logged: [String] = []
        private(set) var shutdownCalls = 0
        private let codec = WireCodec(key: KernelServerTests.key)

        func record(_ channel: KernelChannel, _ frames: [Data]) {
            let message = try! codec.decode(frames)
            lock.withLock { sent.append((channel, message)) }
        }
        func log(_ line: String) { lock.withLock { logged.append(line) } }
        func shutdown() { lock.withLock { shutdownCalls += 1 } }
        var messages: [(KernelChannel, Message)] { lock.withLock { sent } }
        var lines: [String] { lock.withLock { logged } }
        /// "channel type" for each message, e.g. "iopub status:busy", "shell execute_reply".
        var summary: [String] {
            messages.map { channel, message in
                let state = message.content["execution_state"]?.stringValue.map { ":" + $0 } ?? ""
                return "\(channel.rawValue) \(message.type)\(state)"
            }
        }
        func clear() { lock.withLock { sent.removeAll() } }
    }

    var outbox = Outbox()
    var executor = ScriptedExecutor()
    lazy var server = KernelServer(executor: executor, info: info, key: Self.key,
                                   send: { [outbox] in outbox.record($0, $1) },
                                   log: { [outbox] in outbox.log($0) }, onShutdown: { [outbox] in outbox.shutdown() })

    func request(_ type: String, _ content: JSONValue = [:], key: String = KernelServerTests.key) -> [Data] {
        WireCodec(key: key).encode(Message(identities: [Data("front-end".utf8)],
                                           header: MessageHeader(session: "client", username: "test", messageType: type),
                                           content: content))
    }

    func testKernelInfoIsBracketedByBusyAndIdle() async throws {
        let frames = request("kernel_info_request")
        await server.handle(frames, on: .shell)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "shell kernel_info_reply", "iopub status:idle"])
        let requestID = try WireCodec(key: Self.key).decode(frames).header.messageID
        for (_, message) in outbox.messages {
            XCTAssertEqual(message.parentHeader["msg_id"]?.stringValue, requestID)
            XCTAssertEqual(message.header.version, "5.3")
        }
        let reply = outbox.messages[1].1
        XCTAssertEqual(reply.identities, [Data("front-end".utf8)])
        XCTAssertEqual(reply.content["protocol_version"], "5.3")
        XCTAssertEqual(reply.content["implementation"], "d2l-swift")
        XCTAssertEqual(reply.content["language_info"], [
            "name": "swift", "version": "6.3", "mimetype": "text/x-swift", "file_extension": ".swift",
            "codemirror_mode": "swift", "pygments_lexer": "swift",
        ])
        XCTAssertEqual(reply.content["status"], "ok")
        XCTAssertEqual(reply.content["banner"], "hello")
    }

    func testExecuteFlow() async {
        await server.handle(request("execute_request", ["code": "1 + 1", "silent": false]), on: .shell)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "iopub execute_input", "iopub stream", "iopub display_data",
                                        "iopub update_display_data", "iopub execute_result", "shell execute_reply",
                                        "iopub status:idle"])
        let messages = outbox.messages.map(\.1)
        XCTAssertEqual(messages[1].content, ["code": "1 + 1", "execution_count": 1])
        XCTAssertEqual(messages[2].content, ["name": "stdout", "text": "ran 1 + 1\n"])
        XCTAssertEqual(messages[3].content["metadata"], [:])
        XCTAssertEqual(messages[3].content["transient"], ["display_id": "figure"])
        XCTAssertEqual(messages[5].content["execution_count"], 1)
        XCTAssertEqual(messages[6].content["status"], "ok")
        XCTAssertEqual(messages[6].content["execution_count"], 1)

        outbox.clear()
        await server.handle(request("execute_request", ["code": "2"]), on: .shell)
        XCTAssertEqual(outbox.messages.first { $0.1.type == "execute_reply" }?.1.content["execution_count"], 2)
    }

    func testSilentRunsShowNoInputNoResultAndKeepTheCount() async {
        await server.handle(request("execute_request", ["code": "quiet", "silent": true]), on: .shell)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "iopub stream", "iopub display_data",
                                        "iopub update_display_data", "shell execute_reply", "iopub status:idle"])
        outbox.clear()
        await server.handle(request("execute_request", ["code": "loud"]), on: .shell)
        XCTAssertEqual(outbox.messages.first { $0.1.type == "execute_input" }?.1.content["execution_count"], 1)
        let executed = await executor.executedCode
        XCTAssertEqual(executed, ["quiet", "loud"])
    }

    func testErrorIsOneErrorMessageAndAbortsTheQueue() async {
        let queuedAt = DispatchTime.now().uptimeNanoseconds
        await server.handle(request("execute_request", ["code": "error here"]), on: .shell)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "iopub execute_input", "iopub stream", "iopub error",
                                        "shell execute_reply", "iopub status:idle"])
        let error = outbox.messages[3].1.content
        XCTAssertEqual(error, ["ename": "CellError", "evalue": "failed: error here", "traceback": ["cell line 1", "error here"]])
        let reply = outbox.messages[4].1.content
        XCTAssertEqual(reply["status"], "error")
        XCTAssertEqual(reply["ename"], "CellError")
        XCTAssertEqual(reply["traceback"], ["cell line 1", "error here"])

        // Sent before the failure finished: aborted, as ipykernel does with stop_on_error.
        outbox.clear()
        await server.handle(request("execute_request", ["code": "queued"]), on: .shell, receivedAt: queuedAt)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "shell execute_reply", "iopub status:idle"])
        XCTAssertEqual(outbox.messages[1].1.content, ["status": "aborted"])

        // Sent after: runs.
        outbox.clear()
        await server.handle(request("execute_request", ["code": "later"]), on: .shell)
        XCTAssertEqual(outbox.messages.first { $0.1.type == "execute_reply" }?.1.content["status"], "ok")
        let executed = await executor.executedCode
        XCTAssertEqual(executed, ["error here", "later"])
    }

    func testStopOnErrorFalseKeepsTheQueue() async {
        let queuedAt = DispatchTime.now().uptimeNanoseconds
        await server.handle(request("execute_request", ["code": "error", "stop_on_error": false]), on: .shell)
        await server.handle(request("execute_request", ["code": "queued"]), on: .shell, receivedAt: queuedAt)
        let executed = await executor.executedCode
        XCTAssertEqual(executed, ["error", "queued"])
    }

    func testForgedMessagesAreDroppedAndNeverRun() async {
        await server.handle(request("execute_request", ["code": "forged"], key: "another key"), on: .shell)
        await server.handle(request("execute_request", ["code": "unsigned"], key: ""), on: .shell)
        await server.handle(request("shutdown_request", [:], key: "another key"), on: .control)
        XCTAssertEqual(outbox.summary, [])
        let executed = await executor.executedCode
        XCTAssertEqual(executed, [])
        XCTAssertEqual(outbox.shutdownCalls, 0)
        XCTAssertEqual(outbox.lines, [
            "dropped a message on shell: its signature does not match the connection file's key",
            "dropped a message on shell: no signature, and the connection file has a key",
            "dropped a message on control: its signature does not match the connection file's key",
        ])
    }

    func testIsCompleteReplies() async {
        await server.handle(request("is_complete_request", ["code": "func f() {"]), on: .shell)
        await server.handle(request("is_complete_request", ["code": "let x = 1"]), on: .shell)
        let replies = outbox.messages.filter { $0.1.type == "is_complete_reply" }.map(\.1.content)
        XCTAssertEqual(replies, [["status": "incomplete", "indent": "    "], ["status": "complete"]])
    }

    func testSmallRequests() async {
        await server.handle(request("comm_info_request"), on: .shell)
        await server.handle(request("history_request", ["hist_access_type": "tail", "n": 10]), on: .shell)
        await server.handle(request("complete_request", ["code": "pr", "cursor_pos": 2]), on: .shell)
        await server.handle(request("inspect_request", ["code": "x", "cursor_pos": 1]), on: .shell)
        await server.handle(request("inspect_request", ["code": "print(", "cursor_pos": 6, "detail_level": 0]), on: .shell)
        let replies = outbox.messages.filter { $0.0 == .shell }.map { "\($0.1.type) \($0.1.content.encoded().utf8String)" }
        XCTAssertEqual(replies, [
            #"comm_info_reply {"comms":{},"status":"ok"}"#,
            #"history_reply {"history":[],"status":"ok"}"#,
            #"complete_reply {"cursor_end":2,"cursor_start":0,"matches":["print","precondition"],"metadata":{},"status":"ok"}"#,
            #"inspect_reply {"data":{},"found":false,"metadata":{},"status":"ok"}"#,
            #"inspect_reply {"data":{"text/plain":"func print(_ items: Any...)"},"found":true,"metadata":{},"status":"ok"}"#,
        ])
    }

    func testUnknownRequestStillGoesBusyThenIdle() async {
        await server.handle(request("frobnicate_request"), on: .shell)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "iopub status:idle"])
        XCTAssertEqual(outbox.lines, ["no handler for frobnicate_request on shell"])
    }

    func testInterruptAndShutdownOnControl() async {
        await server.handle(request("interrupt_request"), on: .control)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "control interrupt_reply", "iopub status:idle"])
        let interrupts = await executor.interrupts
        XCTAssertEqual(interrupts, 1)
        XCTAssertEqual(outbox.shutdownCalls, 0)

        outbox.clear()
        await server.handle(request("shutdown_request", ["restart": true]), on: .control)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "control shutdown_reply", "iopub status:idle"])
        XCTAssertEqual(outbox.messages[1].1.content, ["status": "ok", "restart": true])
        let shutdowns = await executor.shutdowns
        XCTAssertEqual(shutdowns, [true])
        XCTAssertEqual(outbox.shutdownCalls, 1)
    }

    /// An interrupt on control is answered while a shell request is still running.
    func testInterruptReachesARunningCell() async throws {
        let running = Task { [server] in
            await server.handle(request("execute_request", ["code": "wait for interrupt"]), on: .shell)
        }
        let deadline = Date().addingTimeInterval(5)
        while !outbox.summary.contains("iopub execute_input") && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        await server.handle(request("interrupt_request"), on: .control)
        await running.value
        let replies = outbox.summary.filter { $0.hasPrefix("shell") || $0.hasPrefix("control") }
        XCTAssertEqual(replies, ["control interrupt_reply", "shell execute_reply"])
        XCTAssertEqual(outbox.messages.first { $0.1.type == "execute_reply" }?.1.content["ename"], "Interrupted")
    }

    func testShutdownOnShell() async {
        await server.handle(request("shutdown_request", ["restart": false]), on: .shell)
        XCTAssertEqual(outbox.summary, ["iopub status:busy", "shell shutdown_reply", "iopub status:idle"])
        XCTAssertEqual(outbox.shutdownCalls, 1)
    }
}

extension Data {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
