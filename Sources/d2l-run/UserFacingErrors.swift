import ArgumentParser
import Foundation
import JupyterKernel
import Notebook

/// Runs `body`; a problem the user can fix (any ``UserFacingError``) is reported in one line on
/// standard error, as `command` says it, and ends the command with the error's exit status.
func exitingOnUserFacingErrors<T>(_ command: String = "d2l-run", _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as any UserFacingError {
        FileHandle.standardError.write(Data((error.report(by: command) + "\n").utf8))
        throw ExitCode(error.exitStatus)
    }
}

// The kernel's own errors, as this command's user meets them: a connection file or a kernelspec
// folder that cannot be used (exit status 2). JupyterKernel knows nothing of the runner.
extension ConnectionFileError: UserFacingError {
    public var message: String { description }
}

extension KernelSpecError: UserFacingError {
    public var message: String { description }
}
