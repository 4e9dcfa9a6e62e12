import ArgumentParser
import Foundation
import Notebook

/// Runs `body`; a problem the user can fix (the chapter, the toolchain, the output folder) is
/// reported in one line on standard error and exits with 2, as the README documents.
func exitingOnReadableErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ChapterError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(2)
    } catch let error as ToolchainError {
        FileHandle.standardError.write(Data("d2l-run: \(error)\n".utf8))
        throw ExitCode(2)
    } catch let error as OutputFolderError {
        FileHandle.standardError.write(Data("d2l-run: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
