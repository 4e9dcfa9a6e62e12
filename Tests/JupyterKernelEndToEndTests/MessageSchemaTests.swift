import Foundation
import ProjectPaths
@testable import JupyterKernel
import JupyterKernelTestSupport
import XCTest

/// Every kind of message the kernel sends, checked by jupyter_client and jupyter_kernel_test's
/// schemas: the protocol layer served in this process around the ScriptedExecutor (the built
/// d2l-run cannot run cells yet), spoken to from Python.
final class MessageSchemaTests: XCTestCase {
    func testEveryMessageMatchesJupyterSchemas() throws {
        let python = try JupyterKernelTestSuiteTests.preparedPython()
        let ports = try FreePorts.take(5)
        let key = UUID().uuidString
        let connection = ConnectionFile(ip: "127.0.0.1", shellPort: ports[0], iopubPort: ports[1], stdinPort: ports[2],
                                        controlPort: ports[3], heartbeatPort: ports[4], key: key)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString).json")
        let json: JSONValue = ["transport": "tcp", "ip": "127.0.0.1", "shell_port": .int(ports[0]), "iopub_port": .int(ports[1]),
                               "stdin_port": .int(ports[2]), "control_port": .int(ports[3]), "hb_port": .int(ports[4]),
                               "signature_scheme": "hmac-sha256", "key": .string(key)]
        try json.encoded().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let stopped = DispatchSemaphore(value: 0)
        let server = Thread {
            do {
                try Kernel.serve(connection, executor: ScriptedExecutor(),
                                 info: KernelInfo(implementationVersion: "test", languageVersion: "6.3", banner: "test"),
                                 ownsProcess: false, log: { _ in })
            } catch {
                XCTFail("the kernel did not serve: \(error)")
            }
            stopped.signal()
        }
        server.start()

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/validate_messages.py")
        let (status, output) = try ProjectPaths.run(python, [script.path, file.path])
        XCTAssertEqual(status, 0, output)
        for type in ["execute_input", "stream", "display_data", "update_display_data", "execute_result", "error",
                     "status", "execute_reply", "kernel_info_reply", "complete_reply", "inspect_reply",
                     "history_reply", "is_complete_reply", "comm_info_reply", "shutdown_reply"] {
            XCTAssertTrue(output.contains("valid \(type)\n"), "\(type) not checked:\n\(output)")
        }
        // The shutdown request ends the serving loop.
        XCTAssertEqual(stopped.wait(timeout: .now() + 10), .success)
    }
}
