import Foundation
import JupyterKernel
import ProjectPaths
import XCTest

/// jupyter_kernel_test (PyPI), the Jupyter project's own protocol checks, against the built
/// `d2l-run kernel`. Python lives only in a virtual environment this test makes under
/// `.build/` (the product never needs it); the first run installs it from PyPI (about 15 s).
final class JupyterKernelTestSuiteTests: XCTestCase {
    static let environment = ProjectPaths.root.appendingPathComponent(".build/jupyter-test-venv")
    static let requirements = ["jupyter_client==8.10.0", "jupyter_kernel_test==0.7.0", "nbclient==0.11.0",
                               "nbformat==5.11.1", "papermill==2.7.0"]

    func testJupyterKernelTestPasses() throws {
        let python = try Self.preparedPython()
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-kernelspec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        try KernelSpec(executable: KernelProcessTests.d2lRun.path).install(at: .prefix(prefix.path))

        let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python")
        var environment = ProcessInfo.processInfo.environment
        environment["JUPYTER_PATH"] = prefix.appendingPathComponent("share/jupyter").path
        let (status, output) = try ProjectPaths.run(python, ["-m", "unittest", "-v", "test_d2l_swift_kernel"],
                                            in: suite, environment: environment)
        XCTAssertEqual(status, 0, output)
        // Ran, not skipped: the samples of the issue's list are set, and inspect's (history,
        // pager and clear_output are features this kernel does not have, and their tests skip).
        for test in ["test_kernel_info", "test_is_complete", "test_execute_stdout", "test_execute_stderr",
                     "test_execute_result", "test_display_data", "test_error", "test_completion", "test_inspect"] {
            XCTAssertTrue(output.contains("\(test) (test_d2l_swift_kernel.D2LSwiftKernelTests.\(test)) ... ok"), "\(test):\n\(output)")
        }
    }

    /// The environment's python, made and filled on first use.
    static func preparedPython() throws -> String {
        let python = environment.appendingPathComponent("bin/python").path
        let marker = environment.appendingPathComponent("installed.txt")
        let wanted = requirements.joined(separator: "\n")
        if (try? String(contentsOf: marker, encoding: .utf8)) == wanted { return python }
        let base = ProcessInfo.processInfo.environment["PYTHON3"] ?? "/usr/bin/env"
        let baseArguments = base == "/usr/bin/env" ? ["python3"] : []
        var (status, output) = try ProjectPaths.run(base, baseArguments + ["-m", "venv", environment.path])
        guard status == 0 else { throw SetupError("python3 -m venv \(environment.path) failed:\n\(output)") }
        (status, output) = try ProjectPaths.run(python, ["-m", "pip", "install", "--quiet"] + requirements)
        guard status == 0 else { throw SetupError("pip install \(requirements.joined(separator: " ")) failed:\n\(output)") }
        try wanted.write(to: marker, atomically: true, encoding: .utf8)
        return python
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
