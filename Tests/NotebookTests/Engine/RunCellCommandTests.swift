import CellProtocol
import XCTest

final class RunCellCommandTests: XCTestCase {
    func testALineReadsBackAsTheCommandThatWroteIt() {
        for command in [RunCellCommand(index: 3, keepsState: true, library: "/tmp/cells/libCell_3.so"),
                        RunCellCommand(index: 41, keepsState: false, library: "/home/a b/Output/.cache/cell 1.so")] {
            XCTAssertTrue(command.line.hasSuffix("\n"))
            XCTAssertEqual(RunCellCommand(line: String(command.line.dropLast())), command)
        }
    }

    func testAnythingElseIsRefused() {
        for line in ["", "run", "run 3 keep", "run 3 keep ", "run x keep /a.so", "run 3 hold /a.so", "go 3 keep /a.so", "run 3 /a.so"] {
            XCTAssertNil(RunCellCommand(line: line), line)
        }
    }
}
