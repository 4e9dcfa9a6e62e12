import Foundation
@testable import JupyterKernel
import ProjectPaths
import XCTest

/// The built `d2l-run kernel`, started as Jupyter starts it, spoken to over ZeroMQ.
final class KernelProcessTests: XCTestCase {
    /// The debug build: `swift test` has just built it with this test's sources, while a
    /// release build may predate the kernel.
    static let d2lRun = ProjectPaths.d2lRun

    struct RunningKernel {
        let process: Process
        let connection: ConnectionFile
        let standardError: Pipe

        /// Everything the kernel wrote on stderr; call after it exited.
        var log: String { String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    }

    func writeConnectionFile(key: String) throws -> (ConnectionFile, URL) {
        let ports = try FreePorts.take(5)
        let connection = ConnectionFile(ip: "127.0.0.1", shellPort: ports[0], iopubPort: ports[1], stdinPort: ports[2],
                                        controlPort: ports[3], heartbeatPort: ports[4], key: key)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kernel-\(UUID().uuidString).json")
        let json: JSONValue = ["transport": "tcp", "ip": "127.0.0.1", "shell_port": .int(ports[0]), "iopub_port": .int(ports[1]),
                               "stdin_port": .int(ports[2]), "control_port": .int(ports[3]), "hb_port": .int(ports[4]),
                               "signature_scheme": "hmac-sha256", "key": .string(key)]
        try json.encoded().write(to: file)
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        return (connection, file)
    }

    func startKernel(key: String = UUID().uuidString) throws -> RunningKernel {
        let (connection, file) = try writeConnectionFile(key: key)
        let process = Process()
        process.executableURL = Self.d2lRun
        process.arguments = ["kernel", file.path]
        let standardError = Pipe()
        process.standardError = standardError
        try process.run()
        addTeardownBlock { if process.isRunning { process.terminate() } }
        return RunningKernel(process: process, connection: connection, standardError: standardError)
    }

    func testKernelInfoStatusExecuteAndShutdown() throws {
        let kernel = try startKernel()
        let client = try KernelClient(kernel.connection)

        let info = try XCTUnwrap(client.waitForReady(), "no kernel_info_reply with iopub status")
        XCTAssertEqual(info.content["implementation"], "d2l-swift")
        XCTAssertEqual(info.content["protocol_version"], "5.3")
        XCTAssertEqual(info.content["language_info"]?["name"], "swift")

        try client.heartbeat.send([Data("ping".utf8)])
        XCTAssertEqual(try client.heartbeat.receive(), [Data("ping".utf8)])

        // Every request is bracketed by busy and idle on iopub, with the request as parent.
        let infoID = try client.send("kernel_info_request", on: client.shell)
        XCTAssertEqual(try client.receive(on: client.shell)?.parentHeader["msg_id"]?.stringValue, infoID)
        let statuses = try client.iopubMessages(for: infoID).map { $0.content["execution_state"]?.stringValue }
        XCTAssertEqual(statuses, ["busy", "idle"])

        // A cell runs on the engine: its output streams on iopub between busy and idle.
        let executeID = try client.send("execute_request", ["code": "print(6 * 7)", "silent": false], on: client.shell)
        let reply = try XCTUnwrap(client.receive(on: client.shell, timeout: 60))
        XCTAssertEqual(reply.parentHeader["msg_id"]?.stringValue, executeID)
        XCTAssertEqual(reply.content["status"], "ok")
        let outputs = try client.iopubMessages(for: executeID)
        XCTAssertEqual(outputs.map(\.type), ["status", "execute_input", "stream", "status"])
        XCTAssertEqual(outputs.first { $0.type == "stream" }?.content["text"], "42\n")

        // A forged request gets nothing back, not even busy.
        let forgedID = try client.send("kernel_info_request", on: client.shell, key: "not the key")
        XCTAssertNil(try client.receive(on: client.shell, timeout: 0.5))
        XCTAssertEqual(try client.iopubMessages(for: forgedID, timeout: 0.5).count, 0)

        let shutdownID = try client.send("shutdown_request", ["restart": false], on: client.control)
        let shutdown = try XCTUnwrap(client.receive(on: client.control))
        XCTAssertEqual(shutdown.parentHeader["msg_id"]?.stringValue, shutdownID)
        XCTAssertEqual(shutdown.content, ["status": "ok", "restart": false])
        XCTAssertEqual(try client.iopubMessages(for: shutdownID).map { $0.content["execution_state"]?.stringValue }, ["busy", "idle"])

        XCTAssertTrue(waitForExit(kernel.process, seconds: 5), "the kernel still runs after shutdown")
        XCTAssertEqual(kernel.process.terminationStatus, 0)
        // No process is left: the kernel's pid is gone once reaped.
        XCTAssertEqual(kill(kernel.process.processIdentifier, 0), -1)
        XCTAssertTrue(kernel.log.contains("dropped a message on shell: its signature does not match the connection file's key"), kernel.log)
    }

    func testSIGTERMEndsTheKernel() throws {
        let kernel = try startKernel()
        let client = try KernelClient(kernel.connection)
        XCTAssertNotNil(try client.waitForReady())
        kernel.process.terminate()
        XCTAssertTrue(waitForExit(kernel.process, seconds: 5))
        XCTAssertEqual(kernel.process.terminationReason, .exit)
    }

    /// A front end killed without a shutdown leaves no kernel behind.
    func testKernelEndsWhenItsParentDies() throws {
        let (connection, file) = try writeConnectionFile(key: "k")
        let parent = Process()
        parent.executableURL = URL(fileURLWithPath: "/bin/sh")
        parent.arguments = ["-c", "\"$0\" kernel \"$1\" >/dev/null 2>&1 & echo $!; exec sleep 60", Self.d2lRun.path, file.path]
        let output = Pipe()
        parent.standardOutput = output
        try parent.run()
        let line = output.fileHandleForReading.availableData
        let kernelID = try XCTUnwrap(Int32(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let client = try KernelClient(connection)
        XCTAssertNotNil(try client.waitForReady())
        // Not waitUntilExit: Foundation counts the parent as running while the orphan holds
        // a descriptor it inherited.
        kill(parent.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while isAlive(kernelID) && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(isAlive(kernelID), "the orphaned kernel \(kernelID) still runs")
        if isAlive(kernelID) { kill(kernelID, SIGKILL) }
    }

    /// A kernel killed outright (SIGKILL, as `shutdown_kernel(now=True)` does) while a cell
    /// hangs leaves none of its processes: the base program, the holders of the cells that ran
    /// and the hanging cell end with it (they stayed, each blocked on the next, until the
    /// runtime asked for the parent-death signal). Started by jupyter_client, as Jupyter does.
    func testAKilledKernelTakesItsStateHoldersAndRunningCellWithIt() throws {
        let python = try JupyterKernelTestSuiteTests.preparedPython()
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-kernelspec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        try KernelSpec(executable: Self.d2lRun.path).install(at: .prefix(prefix.path))
        var environment = ProcessInfo.processInfo.environment
        environment["JUPYTER_PATH"] = prefix.appendingPathComponent("share/jupyter").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/kill_kernel.py")
        let (status, output) = try ProjectPaths.run(python, [script.path, KernelSpec.defaultName], environment: environment)
        XCTAssertEqual(status, 0, output)
        let report = try XCTUnwrap(output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
                                       as? [String: Any], output)
        XCTAssertGreaterThanOrEqual(report["before"] as? Int ?? 0, 4, "the kernel's processes while the cell hangs: \(output)")
        XCTAssertEqual(report["after"] as? [Int], [], "left running after the kernel was killed")
    }

    /// Running, not a zombie waiting for a parent that does not reap (pid 1 in a container).
    private func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    func testBadConnectionFileIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        try Data(#"{"ip": "127.0.0.1", "signature_scheme": "hmac-sha1"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, log) = try ProjectPaths.run(Self.d2lRun.path, ["kernel", file.path])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(log.contains("connection file \(file.path)"), log)
    }

    private func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }
}
