import CZeroMQ
import Foundation

/// The kernel's five ZeroMQ sockets, bound to the connection file's address and ports only.
///
/// One thread (the caller of `run`) owns shell, control, stdin and iopub, as ZeroMQ sockets
/// must not be shared between threads; other threads hand it outgoing messages through
/// `send`, which wakes it through a pipe. The heartbeat echoes on its own thread, so a
/// front end sees the kernel alive even while a request is being handled.
final class KernelSockets: @unchecked Sendable {  // sockets used on their own threads only; others go through send's pipe
    private let context: ZMQContext
    private let shell: ZMQSocket
    private let control: ZMQSocket
    private let stdin: ZMQSocket
    private let iopub: ZMQSocket
    private let heartbeat: ZMQSocket
    private let wakeRead: Int32
    private let wakeWrite: Int32
    // Guarded by `lock`: filled by any thread, emptied by the I/O thread.
    private let lock = NSLock()
    private var outbox: [(KernelChannel, [Data])] = []
    private var stopping = false

    init(connection: ConnectionFile) throws {
        context = try ZMQContext()
        shell = try ZMQSocket(context, type: ZMQ_ROUTER)
        control = try ZMQSocket(context, type: ZMQ_ROUTER)
        stdin = try ZMQSocket(context, type: ZMQ_ROUTER)
        iopub = try ZMQSocket(context, type: ZMQ_PUB)
        heartbeat = try ZMQSocket(context, type: ZMQ_REP)
        // As ipykernel: a front end that reconnects with the same identity takes its place.
        for router in [shell, control, stdin] { try router.setOption(ZMQ_ROUTER_HANDOVER, 1) }
        try shell.bind(connection.endpoint(port: connection.shellPort))
        try control.bind(connection.endpoint(port: connection.controlPort))
        try stdin.bind(connection.endpoint(port: connection.stdinPort))
        try iopub.bind(connection.endpoint(port: connection.iopubPort))
        try heartbeat.bind(connection.endpoint(port: connection.heartbeatPort))
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError(call: "pipe", code: errno) }
        for descriptor in fds {
            _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
    }

    /// Queues `frames` for `channel`'s socket; safe from any thread.
    func send(_ channel: KernelChannel, _ frames: [Data]) {
        lock.lock()
        outbox.append((channel, frames))
        lock.unlock()
        wake()
    }

    /// Makes `run` send what is queued, close every socket and return; safe from any thread.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake()
    }

    /// Echoes heartbeats on a thread of its own, then serves the other sockets on this thread
    /// until `stop`, calling `deliver` with each message read from shell, control or stdin and
    /// when it was read.
    func run(deliver: (KernelChannel, [Data], UInt64) -> Void) throws {
        let heartbeatThread = Thread { [heartbeat] in
            // Ends with ETERM when the context shuts down.
            while let ping = try? heartbeat.receive(), (try? heartbeat.send(ping)) != nil {}
            heartbeat.close(lingerMilliseconds: 0)
        }
        heartbeatThread.start()
        defer { closeAll() }
        let readable = [(shell, KernelChannel.shell), (control, .control), (stdin, .stdin)]
        while true {
            let (sockets, _) = try ZMQSocket.poll(sockets: readable.map(\.0), fileDescriptors: [wakeRead], timeout: -1)
            drainWakeups()
            for ((socket, channel), isReadable) in zip(readable, sockets) where isReadable {
                // Read all that waits: the socket reports readable once per batch.
                while let frames = try socket.receive(dontWait: true) {
                    deliver(channel, frames, DispatchTime.now().uptimeNanoseconds)
                }
            }
            lock.lock()
            let pending = outbox
            outbox.removeAll()
            let done = stopping
            lock.unlock()
            for (channel, frames) in pending {
                // A reply that cannot go out (its front end gone) is lost, as ZeroMQ loses it
                // anyway; it must not end the kernel and the state it holds.
                try? socket(for: channel).send(frames)
            }
            if done { return }
        }
    }

    private func socket(for channel: KernelChannel) -> ZMQSocket {
        switch channel {
        case .shell: return shell
        case .control: return control
        case .stdin: return stdin
        case .iopub: return iopub
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        // A full pipe already guarantees a wakeup; EAGAIN is fine.
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Gives replies and the last status a second to leave, then ends the context.
    private func closeAll() {
        for socket in [shell, control, stdin, iopub] { socket.close(lingerMilliseconds: 1000) }
        context.shutdown()
        context.terminate()
        close(wakeRead)
        close(wakeWrite)
    }
}
