import Foundation

/// The kernel's protocol logic, without sockets: it reads requests (as frames) and answers
/// through `send`, running code through a `CellExecutor`.
///
/// Every request that passes the signature check is bracketed by `status: busy` and
/// `status: idle` on iopub, with the request as parent, as front ends wait for both.
/// Shell requests must be handed in one at a time (a cell runs before the next request is
/// read); control requests may arrive while a shell request is still running.
public actor KernelServer {
    /// Sends frames on a channel; called from any task, in the order messages must go out.
    public typealias Send = @Sendable (KernelChannel, [Data]) -> Void

    private let executor: CellExecutor
    private let info: KernelInfo
    private let codec: WireCodec
    private let send: Send
    private let log: @Sendable (String) -> Void
    private let session = UUID().uuidString.lowercased()
    private let username = ProcessInfo.processInfo.environment["USER"] ?? "kernel"
    private var executionCount = 0
    /// After a failed cell with `stop_on_error`, execute requests received before this moment
    /// (the queue at the time of the error) are answered "aborted" instead of run.
    private var abortReceivedBefore: UInt64?
    private let onShutdown: @Sendable () -> Void

    /// - Parameters:
    ///   - executor: Runs cells; the server never runs code itself.
    ///   - info: What `kernel_info_reply` says.
    ///   - key: The connection file's key; messages not signed with it are dropped.
    ///   - send: Puts frames on a channel's socket.
    ///   - log: Where dropped messages and unknown requests are reported (stderr by default).
    ///   - onShutdown: Called once a shutdown request has been answered and idle published.
    public init(executor: CellExecutor, info: KernelInfo, key: String, send: @escaping Send,
                log: @escaping @Sendable (String) -> Void = KernelServer.logToStandardError,
                onShutdown: @escaping @Sendable () -> Void = {}) {
        self.onShutdown = onShutdown
        self.executor = executor
        self.info = info
        self.codec = WireCodec(key: key)
        self.send = send
        self.log = log
    }

    /// Writes `line` to standard error, prefixed with the command's name.
    public static let logToStandardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("d2l-run kernel: \(line)\n".utf8))
    }

    /// Handles one incoming message; returns when it has been answered.
    ///
    /// - Parameters:
    ///   - frames: The message as it came off the socket.
    ///   - channel: `shell` or `control` (a reply goes back on the same channel).
    ///   - receivedAt: When the socket delivered it (`DispatchTime.now().uptimeNanoseconds`),
    ///     which decides whether it was queued when a cell failed.
    public func handle(_ frames: [Data], on channel: KernelChannel,
                       receivedAt: UInt64 = DispatchTime.now().uptimeNanoseconds) async {
        let request: Message
        do {
            request = try codec.decode(frames)
        } catch {
            log("dropped a message on \(channel.rawValue): \(error)")
            return
        }
        publish(status: "busy", parent: request)
        let endsKernel = await dispatch(request, on: channel, receivedAt: receivedAt)
        publish(status: "idle", parent: request)
        // After idle, so that the front end sees the request finished before the sockets close.
        if endsKernel { onShutdown() }
    }

    /// Answers `request`; true if it was a shutdown request.
    private func dispatch(_ request: Message, on channel: KernelChannel, receivedAt: UInt64) async -> Bool {
        switch request.type {
        case "kernel_info_request":
            reply(to: request, on: channel, content: info.replyContent)
        case "execute_request":
            await execute(request, on: channel, receivedAt: receivedAt)
        case "is_complete_request":
            let completeness = CodeCompleteness(code: request.content["code"]?.stringValue ?? "")
            var content: [String: JSONValue] = ["status": .string(completeness.status)]
            if case .incomplete(let indent) = completeness { content["indent"] = .string(indent) }
            reply(to: request, on: channel, content: .object(content))
        case "complete_request":
            let code = request.content["code"]?.stringValue ?? ""
            let cursor = request.content["cursor_pos"]?.intValue ?? code.unicodeScalars.count
            let completion = await executor.complete(code: code, cursor: cursor)
            reply(to: request, on: channel, content: [
                "status": "ok", "matches": .array(completion.matches.map { .string($0) }),
                "cursor_start": .int(completion.cursorStart), "cursor_end": .int(completion.cursorEnd),
                "metadata": [:],
            ])
        case "inspect_request":
            let code = request.content["code"]?.stringValue ?? ""
            let cursor = request.content["cursor_pos"]?.intValue ?? code.unicodeScalars.count
            let text = await executor.inspect(code: code, cursor: cursor)
            reply(to: request, on: channel, content: [
                "status": "ok", "found": .bool(text != nil), "data": text.map { ["text/plain": .string($0)] } ?? [:], "metadata": [:],
            ])
        case "history_request":
            reply(to: request, on: channel, content: ["status": "ok", "history": []])
        case "comm_info_request":
            reply(to: request, on: channel, content: ["status": "ok", "comms": [:]])
        case "interrupt_request":
            await executor.interrupt()
            reply(to: request, on: channel, content: ["status": "ok"])
        case "shutdown_request":
            let restart = request.content["restart"]?.boolValue ?? false
            reply(to: request, on: channel, content: ["status": "ok", "restart": .bool(restart)])
            await executor.shutdown(restart: restart)
            return true
        default:
            // As ipykernel: an unknown request is logged and left unanswered (busy and idle
            // still go out, so a front end waiting for idle does not hang).
            log("no handler for \(request.type) on \(channel.rawValue)")
        }
        return false
    }

    /// busy has gone out; runs the cell unless an earlier failure aborted it.
    private func execute(_ request: Message, on channel: KernelChannel, receivedAt: UInt64) async {
        if let abortReceivedBefore, receivedAt <= abortReceivedBefore {
            reply(to: request, on: channel, content: ["status": "aborted"])
            return
        }
        abortReceivedBefore = nil
        let code = request.content["code"]?.stringValue ?? ""
        let silent = request.content["silent"]?.boolValue ?? false
        let storesHistory = !silent && (request.content["store_history"]?.boolValue ?? true)
        if storesHistory { executionCount += 1 }
        let count = executionCount
        if !silent {
            publish(type: "execute_input", content: ["code": .string(code), "execution_count": .int(count)], parent: request)
        }
        let outcome = await executor.execute(code: code, silent: silent, publish: { [weak self] event in
            guard let self else { return }
            if silent, case .executeResult = event { return }
            self.publish(event, count: count, parent: request)
        })
        switch outcome {
        case .ok:
            reply(to: request, on: channel, content: [
                "status": "ok", "execution_count": .int(count), "user_expressions": [:], "payload": [],
            ])
        case .error(let ename, let evalue, let traceback):
            let error: [String: JSONValue] = ["ename": .string(ename), "evalue": .string(evalue),
                                              "traceback": .array(traceback.map { .string($0) })]
            publish(type: "error", content: .object(error), parent: request)
            reply(to: request, on: channel, content: .object(error.merging([
                "status": "error", "execution_count": .int(count), "user_expressions": [:],
            ]) { _, new in new }))
            if request.content["stop_on_error"]?.boolValue ?? true {
                abortReceivedBefore = DispatchTime.now().uptimeNanoseconds
            }
        }
    }

    private nonisolated func publish(_ event: IOPubEvent, count: Int, parent: Message) {
        switch event {
        case .stream(let name, let text):
            publish(type: "stream", content: ["name": .string(name), "text": .string(text)], parent: parent)
        case .displayData(let data, let metadata, let displayID):
            publish(type: "display_data", content: ["data": .object(data), "metadata": .object(metadata),
                                                     "transient": displayID.map { ["display_id": .string($0)] } ?? [:]],
                    parent: parent)
        case .updateDisplayData(let data, let metadata, let displayID):
            publish(type: "update_display_data", content: ["data": .object(data), "metadata": .object(metadata),
                                                            "transient": ["display_id": .string(displayID)]],
                    parent: parent)
        case .executeResult(let data, let metadata):
            publish(type: "execute_result", content: ["data": .object(data), "metadata": .object(metadata),
                                                       "execution_count": .int(count)], parent: parent)
        case .clearOutput(let wait):
            publish(type: "clear_output", content: ["wait": .bool(wait)], parent: parent)
        }
    }

    private nonisolated func publish(status: String, parent: Message) {
        publish(type: "status", content: ["execution_state": .string(status)], parent: parent)
    }

    /// iopub messages go to every subscriber; the topic frame names the message type.
    private nonisolated func publish(type: String, content: JSONValue, parent: Message) {
        let message = Message(identities: [Data("kernel.\(session).\(type)".utf8)],
                              header: header(type), parentHeader: parent.header.json, content: content)
        send(.iopub, codec.encode(message))
    }

    private nonisolated func reply(to request: Message, on channel: KernelChannel, content: JSONValue) {
        let type = request.type.hasSuffix("_request") ? String(request.type.dropLast("_request".count)) + "_reply" : request.type + "_reply"
        let message = Message(identities: request.identities, header: header(type),
                              parentHeader: request.header.json, content: content)
        send(channel, codec.encode(message))
    }

    private nonisolated func header(_ type: String) -> MessageHeader {
        MessageHeader(session: session, username: username, messageType: type)
    }
}
