"""jupyter_kernel_test's protocol checks against `d2l-run kernel`.

Run by JupyterKernelTestSuiteTests.swift, in a virtual environment it makes, with JUPYTER_PATH
pointing at a kernelspec for the d2l-run under test. Only the samples that do not execute code:
until the live engine is wired in, every cell answers "execution is not wired yet", and an
error sample would pass for that wrong reason.
"""
import unittest

import jupyter_kernel_test


class D2LSwiftKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "d2l-swift"
    language_name = "swift"
    file_extension = ".swift"

    complete_code_samples = ["let x = 1", "print(\"hello\")", "func f() {\n    return\n}"]
    incomplete_code_samples = ["func f() {", "let a = [1,", "let s = \"\"\"\nline"]


if __name__ == "__main__":
    unittest.main()
