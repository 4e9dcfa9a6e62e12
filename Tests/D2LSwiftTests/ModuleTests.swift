import XCTest
@testable import D2LSwift

/// Parameters are found by reflection, once per training run.
final class ModuleTests: XCTestCase {
    private final class Pair: Module {
        let a = Tensor([1]).requiringGrad()
        var b = Tensor([2]).requiringGrad()
    }

    func testParametersAreFoundOnceWhileFixed() {
        let model = Pair()
        XCTAssertTrue(zip(model.parameters(), [model.a, model.b]).allSatisfy { $0 === $1 })
        let first = model.b
        model.withParametersFixed {
            model.b = Tensor([3]).requiringGrad()
            // The list taken when the run started, not a new look at the module.
            XCTAssertTrue(model.parameters()[1] === first)
        }
        XCTAssertTrue(model.parameters()[1] === model.b)
        XCTAssertFalse(model.parameters()[1] === first)
    }
}
