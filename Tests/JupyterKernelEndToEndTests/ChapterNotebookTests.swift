import Foundation
import JupyterKernel
import ProjectPaths
import XCTest

/// The chapter's notebook, as `d2l-run` writes it, run by Jupyter's own clients on the
/// installed kernel: nbclient (what `jupyter nbconvert --execute` uses) and papermill. The
/// kernel's results must be `d2l-run`'s for the same seed.
final class ChapterNotebookTests: XCTestCase {
    /// The release build when there is one: the chapter trains for 100 epochs.
    static let d2lRun = ProjectPaths.d2lRun

    func testTheChaptersNotebookRunsUnderNbclientAndPapermillAsD2LRunRanIt() throws {
        let python = try JupyterKernelTestSuiteTests.preparedPython()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-notebook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("Output")
        let chapter = ProjectPaths.root.appendingPathComponent("Chapters/rnn-scratch.md").path
        var (status, text) = try ProjectPaths.run(Self.d2lRun.path, [chapter, "--output", output.path])
        XCTAssertEqual(status, 0, text)
        let notebook = output.appendingPathComponent("rnn-scratch.ipynb")
        let written = try Self.outputs(of: notebook)

        try KernelSpec(executable: Self.d2lRun.path).install(at: .prefix(folder.appendingPathComponent("kernels").path))
        var environment = ProcessInfo.processInfo.environment
        environment["JUPYTER_PATH"] = folder.appendingPathComponent("kernels/share/jupyter").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/run_notebook.py")
        (status, text) = try ProjectPaths.run(python, [script.path, notebook.path, "d2l-swift"], environment: environment)
        XCTAssertEqual(status, 0, text)
        let report = try XCTUnwrap(text.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
                                       as? [String: Any], text)
        XCTAssertEqual(report["kernel"] as? String, "d2l-swift", "the notebook names the installed kernel")
        let cells = try XCTUnwrap(report["cells"] as? [String: [String: Any]])
        func cellText(_ id: String) -> String { cells[id]?["text"] as? String ?? "" }
        func mimes(_ id: String) -> [String] { cells[id]?["mimes"] as? [String] ?? [] }

        // The same prediction and final perplexities as d2l-run, seed 0 both.
        XCTAssertEqual(cellText("predict-demo"), written["predict-demo"], "the prediction after 'it has'")
        let final = try XCTUnwrap(written["train"]?.split(separator: "\n").last { $0.contains("perplexity after") })
        XCTAssertTrue(cellText("train").contains(final), "kernel: \(cellText("train").suffix(300)); d2l-run: \(final)")
        XCTAssertTrue(mimes("train").contains("image/svg+xml"), "the training figure")
        XCTAssertTrue(mimes("ex-sampling").contains("text/html"), "a table as HTML: \(mimes("ex-sampling"))")
        // Only the cell tagged .fails (raises-exception) has an error.
        let failing = cells.filter { !(($0.value["errors"] as? [String]) ?? []).isEmpty }.map(\.key)
        XCTAssertEqual(failing, ["rnn-check-fails"])
        // Nor does any cell draw a word from the kernel itself (its warning about Dispatch, or
        // about a lost state).
        XCTAssertEqual(cells.filter { ($0.value["text"] as? String ?? "").contains("d2l-run kernel:") }.map(\.key), [])

        // papermill runs it too and writes the executed notebook. It reports any error output,
        // even of a cell tagged raises-exception (nbclient lets those pass), so it ends with the
        // .fails cell's error, after running every cell.
        let executed = folder.appendingPathComponent("executed.ipynb")
        (status, text) = try ProjectPaths.run(python, ["-m", "papermill", "--kernel", "d2l-swift",
                                                                      notebook.path, executed.path], environment: environment)
        XCTAssertEqual(status, 1, text)
        XCTAssertTrue(text.contains("tensor's shape [2, 32] != expected shape [2, 33]"), text)
        XCTAssertEqual(try Self.outputs(of: executed)["predict-demo"], written["predict-demo"])
    }

    /// Each code cell's stream text, by cell id.
    static func outputs(of notebook: URL) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: notebook)) as? [String: Any]
        var result: [String: String] = [:]
        for cell in object?["cells"] as? [[String: Any]] ?? [] where cell["cell_type"] as? String == "code" {
            guard let id = cell["id"] as? String else { continue }
            result[id] = (cell["outputs"] as? [[String: Any]] ?? []).filter { $0["output_type"] as? String == "stream" }
                .map { ($0["text"] as? [String])?.joined() ?? ($0["text"] as? String ?? "") }.joined()
        }
        return result
    }
}
