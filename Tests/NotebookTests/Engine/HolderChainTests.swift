import XCTest
@testable import Notebook

final class HolderChainTests: XCTestCase {
    func testRollsBackToTheResumedHolder() {
        var chain = HolderChain(basePID: 10)
        chain.succeeded(cell: 1, module: "Cell_1", pid: 11)
        chain.succeeded(cell: 3, module: "Cell_3", pid: 13)
        XCTAssertEqual(chain.holder.module, "Cell_3")
        XCTAssertTrue(chain.resumed(pid: 11))
        XCTAssertEqual(chain.cells, [1])
        XCTAssertEqual(chain.holder.module, "Cell_1", "the next cell imports the state's own module")
        XCTAssertFalse(chain.resumed(pid: 99))
        XCTAssertEqual(chain.links.map(\.pid), [10, 11])
    }
}
