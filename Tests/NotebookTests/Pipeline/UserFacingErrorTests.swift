import XCTest
@testable import Notebook

/// Every error the user can fix reports itself in one line, at its file and line when it has
/// one, and says what the command exits with.
final class UserFacingErrorTests: XCTestCase {
    func testALocatedErrorReportsItsFileAndLine() {
        let error = ChapterError(path: "Chapters/x.md", line: 12, message: "unknown tag '.foo'")
        XCTAssertEqual(error.report(by: "d2l-run"), "Chapters/x.md:12: error: unknown tag '.foo'")
        XCTAssertEqual(error.description, error.report(by: "d2l-run"))
        XCTAssertEqual(error.exitStatus, 2)
        XCTAssertEqual(ChapterError(path: "Chapters/x.md", message: "is empty").report(by: "d2l-run"), "Chapters/x.md: error: is empty")
    }

    func testOtherErrorsAreReportedByTheCommand() {
        let errors: [any UserFacingError] = [
            ToolchainError("D2LSwift is not built"),
            OutputFolderError(folder: "/out", reason: "permission denied"),
            LibraryExtraction.SaveError(message: "no chapter in Chapters"),
        ]
        XCTAssertEqual(errors.map { $0.report(by: "d2l-run") }, [
            "d2l-run: D2LSwift is not built",
            "d2l-run: cannot write to the output folder /out: permission denied",
            "d2l-run: no chapter in Chapters",
        ])
        XCTAssertEqual(errors.map(\.exitStatus), [2, 2, 2])
    }

    /// A kind of error added later needs no change to the commands to exit with its status.
    func testAnErrorTypeChoosesItsExitStatus() {
        struct Interrupted: UserFacingError {
            var message: String { "stopped" }
            var exitStatus: Int32 { 130 }
            var description: String { message }
        }
        let error: any UserFacingError = Interrupted()
        XCTAssertEqual(error.exitStatus, 130)
        XCTAssertEqual(error.report(by: "d2l-run serve"), "d2l-run serve: stopped")
    }
}
