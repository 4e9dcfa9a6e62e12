import JupyterKernel
import XCTest

final class KernelSpecTests: XCTestCase {
    func testKernelJSON() throws {
        let spec = try KernelSpec(executable: "/opt/d2l/.build/release/d2l-run")
        XCTAssertEqual(spec.json.encoded().utf8String,
                       #"{"argv":["/opt/d2l/.build/release/d2l-run","kernel","{connection_file}"],"display_name":"Swift (d2l-swift)","interrupt_mode":"message","language":"swift","metadata":{"debugger":false}}"#)
    }

    /// The folders ipykernel's installer (through jupyter_client and jupyter_core) picks.
    func testDirectoriesFollowJupyter() throws {
        let spec = try KernelSpec(name: "swift-dev", executable: "/bin/d2l-run")
        let home = ["HOME": "/home/ada"]
        XCTAssertEqual(try spec.directory(for: .user, environment: home).path, "/home/ada/.local/share/jupyter/kernels/swift-dev")
        XCTAssertEqual(try spec.directory(for: .user, environment: home.merging(["XDG_DATA_HOME": "/xdg"]) { $1 }).path,
                       "/xdg/jupyter/kernels/swift-dev")
        XCTAssertEqual(try spec.directory(for: .user, environment: home.merging(["JUPYTER_DATA_DIR": "/jd"]) { $1 }).path,
                       "/jd/kernels/swift-dev")
        XCTAssertEqual(try spec.directory(for: .prefix("/opt/env"), environment: home).path, "/opt/env/share/jupyter/kernels/swift-dev")
        XCTAssertEqual(try spec.directory(for: .sysPrefix, environment: ["VIRTUAL_ENV": "/venv"]).path, "/venv/share/jupyter/kernels/swift-dev")
        XCTAssertEqual(try spec.directory(for: .system, environment: home).path, "/usr/local/share/jupyter/kernels/swift-dev")
        XCTAssertThrowsError(try spec.directory(for: .sysPrefix, environment: home)) {
            XCTAssertTrue("\($0)".contains("VIRTUAL_ENV"), "\($0)")
        }
    }

    func testInstallWritesKernelJSON() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("kernelspec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let spec = try KernelSpec(executable: "/bin/d2l-run")
        let folder = try spec.install(at: .prefix(prefix.path))
        XCTAssertEqual(folder.path, prefix.path + "/share/jupyter/kernels/d2l-swift")
        let written = try JSONValue.decode(Data(contentsOf: folder.appendingPathComponent("kernel.json")))
        XCTAssertEqual(written, spec.json)
    }

    func testRejectsNamesJupyterWouldNot() {
        XCTAssertThrowsError(try KernelSpec(name: "my kernel/../x", executable: "/bin/d2l-run"))
        XCTAssertThrowsError(try KernelSpec(executable: "relative/d2l-run"))
    }
}
