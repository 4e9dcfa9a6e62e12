import JupyterKernel
import XCTest

final class ConnectionFileTests: XCTestCase {
    let sample = """
    {"shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796, "control_port": 53797, "hb_port": 53798,
     "ip": "127.0.0.1", "key": "k3y", "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "d2l-swift"}
    """

    func testReadsJupyterClientsFile() throws {
        let file = try ConnectionFile(json: Data(sample.utf8), path: "kernel-1.json")
        XCTAssertEqual(file, ConnectionFile(ip: "127.0.0.1", shellPort: 53794, iopubPort: 53795, stdinPort: 53796,
                                            controlPort: 53797, heartbeatPort: 53798, key: "k3y"))
        XCTAssertEqual(file.endpoint(port: file.shellPort), "tcp://127.0.0.1:53794")
        var ipc = file
        ipc.transport = "ipc"
        ipc.ip = "/tmp/kernel"
        XCTAssertEqual(ipc.endpoint(port: 7), "ipc:///tmp/kernel-7")
        var ipv6 = file
        ipv6.ip = "::1"
        XCTAssertEqual(ipv6.endpoint(port: 8), "tcp://[::1]:8")
    }

    func testRejectsAnotherSignatureSchemeNamingTheFile() {
        let text = sample.replacingOccurrences(of: "hmac-sha256", with: "hmac-md5")
        XCTAssertThrowsError(try ConnectionFile(json: Data(text.utf8), path: "/run/kernel-2.json")) { error in
            XCTAssertEqual("\(error)", #"connection file /run/kernel-2.json has signature_scheme "hmac-md5"; this kernel supports only hmac-sha256"#)
        }
    }

    func testRejectsMissingOrBadPorts() {
        let missing = sample.replacingOccurrences(of: #""hb_port": 53798,"#, with: "")
        XCTAssertThrowsError(try ConnectionFile(json: Data(missing.utf8), path: "c.json")) {
            XCTAssertEqual("\($0)", #"connection file c.json has no "hb_port""#)
        }
        let text = sample.replacingOccurrences(of: "53795", with: "\"x\"")
        XCTAssertThrowsError(try ConnectionFile(json: Data(text.utf8), path: "c.json")) {
            XCTAssertEqual("\($0)", #"connection file c.json "iopub_port" is not a port number from 1 to 65535"#)
        }
        XCTAssertThrowsError(try ConnectionFile(json: Data("[1]".utf8), path: "c.json")) {
            XCTAssertEqual("\($0)", "connection file c.json is not a JSON object")
        }
    }

    func testUnreadableFileIsNamed() {
        XCTAssertThrowsError(try ConnectionFile(contentsOf: "/nonexistent/kernel.json")) {
            XCTAssertTrue("\($0)".hasPrefix("connection file /nonexistent/kernel.json cannot be read"), "\($0)")
        }
    }
}
