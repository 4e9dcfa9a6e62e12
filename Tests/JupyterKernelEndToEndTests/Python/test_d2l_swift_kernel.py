"""jupyter_kernel_test's protocol checks against `d2l-run kernel`.

Run by JupyterKernelTestSuiteTests.swift, in a virtual environment it makes, with JUPYTER_PATH
pointing at a kernelspec for the d2l-run under test. Every sample for what the kernel does is
set (history, inspect, the pager and clear_output it does not do, and those tests skip).
"""
import unittest

import jupyter_kernel_test


class D2LSwiftKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "d2l-swift"
    language_name = "swift"
    file_extension = ".swift"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'import Foundation\nFileHandle.standardError.write("oops\\n".data(using: .utf8)!)'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "[1, 2].map { $0 * 10 }", "result": "[10, 20]"},
    ]
    code_display_data = [
        {"code": 'display(Table(header: ["a"], rows: [["1"]]))', "mime": "text/html"},
        {"code": 'display(Figure(xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [[0, 1], [1, 2]])]))',
         "mime": "image/svg+xml"},
    ]
    code_generate_error = 'fatalError("boom")'
    # The library's API is known from the start (its declarations and doc comments).
    code_inspect_sample = "Trainer"
    complete_code_samples = ["let x = 1", "print(\"hello\")", "func f() {\n    return\n}"]
    incomplete_code_samples = ["func f() {", "let a = [1,", "let s = \"\"\"\nline"]
    # Names the kernel's earlier cells declared (setUpClass runs the declaring cell first).
    completion_samples = [{"text": "zebra", "matches": {"zebraCount"}}]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reply = cls.kc.execute_interactive("let zebraCount = 1", timeout=120)
        assert reply["content"]["status"] == "ok", reply


if __name__ == "__main__":
    unittest.main()
