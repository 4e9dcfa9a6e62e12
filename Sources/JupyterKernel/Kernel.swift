import Foundation

/// A running Jupyter kernel: the connection file's sockets, served by a `KernelServer`
/// around a `CellExecutor`.
///
/// ```swift
/// let connection = try ConnectionFile(contentsOf: path)
/// try Kernel.serve(connection, executor: engine, info: info)  // returns after shutdown
/// ```
///
/// The process that calls this must never fork (ZeroMQ contexts are not fork-safe): the
/// executor runs cells in processes of its own.
public enum Kernel {
    /// Binds the sockets and answers requests until a `shutdown_request` or SIGTERM.
    /// SIGINT interrupts the running cell, for front ends that interrupt by signal.
    ///
    /// - Parameters:
    ///   - ownsProcess: Whether the kernel is the process (SIGINT, SIGTERM and the parent's
    ///     death are its to handle); false only to serve from inside another program, e.g. a test.
    /// - Throws: `ZMQError` when a port cannot be bound.
    public static func serve(_ connection: ConnectionFile, executor: CellExecutor, info: KernelInfo,
                             ownsProcess: Bool = true,
                             log: @escaping @Sendable (String) -> Void = KernelServer.logToStandardError) throws {
        let sockets = try KernelSockets(connection: connection)
        if connection.key.isEmpty {
            log("the connection file's key is empty: messages are neither signed nor checked")
        }
        let server = KernelServer(executor: executor, info: info, key: connection.key,
                                  send: { sockets.send($0, $1) }, log: log, onShutdown: { sockets.stop() })
        let (shellRequests, shellInput) = AsyncStream.makeStream(of: ([Data], UInt64).self)
        let (controlRequests, controlInput) = AsyncStream.makeStream(of: ([Data], UInt64).self)
        // Shell requests one after another; control beside them, so that an interrupt or a
        // shutdown reaches a running cell.
        let shellTask = Task {
            for await (frames, receivedAt) in shellRequests { await server.handle(frames, on: .shell, receivedAt: receivedAt) }
        }
        let controlTask = Task {
            for await (frames, receivedAt) in controlRequests { await server.handle(frames, on: .control, receivedAt: receivedAt) }
        }
        let signals = ownsProcess ? handleSignals(executor: executor, sockets: sockets) : []
        let parentWatch = ownsProcess ? endWhenOrphaned(executor: executor, sockets: sockets, log: log) : nil
        defer {
            parentWatch?.cancel()
            signals.forEach { $0.cancel() }
            shellTask.cancel()
            controlTask.cancel()
        }
        try sockets.run { channel, frames, receivedAt in
            switch channel {
            case .shell: shellInput.yield((frames, receivedAt))
            case .control: controlInput.yield((frames, receivedAt))
            // Nothing asks for input yet (`allow_stdin` is not used): a reply here answers nothing.
            case .stdin, .iopub: log("ignored a message on \(channel.rawValue): the kernel asked for no input")
            }
        }
    }

    /// A front end that dies without a shutdown (killed, crashed) would leave the kernel
    /// running for ever: as ipykernel's parent poller, end when the parent process is gone
    /// (this process is then re-parented, so its parent id changes).
    private static func endWhenOrphaned(executor: CellExecutor, sockets: KernelSockets,
                                        log: @escaping @Sendable (String) -> Void) -> DispatchSourceTimer {
        let parent = getppid()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler {
            guard getppid() != parent else { return }
            timer.cancel()
            log("the process that started the kernel (\(parent)) has ended: shutting down")
            Task { await executor.shutdown(restart: false); sockets.stop() }
        }
        timer.resume()
        return timer
    }

    private static func handleSignals(executor: CellExecutor, sockets: KernelSockets) -> [DispatchSourceSignal] {
        let actions: [(Int32, @Sendable () -> Void)] = [
            (SIGINT, { Task { await executor.interrupt() } }),
            (SIGTERM, { Task { await executor.shutdown(restart: false); sockets.stop() } }),
        ]
        return actions.map { number, action in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }
}
