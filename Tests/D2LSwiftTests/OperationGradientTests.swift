import XCTest
@testable import D2LSwift

/// Every differentiable operation against finite differences. A weighted sum turns each result
/// into a scalar so that every output element's gradient matters.
final class OperationGradientTests: XCTestCase {
    private func weighted(_ t: Tensor) -> Tensor {
        let weights = Tensor(shape: t.shape, scalars: (0..<t.count).map { Float($0 % 7) * 0.3 - 0.8 })
        return (t * weights).sum()
    }

    func testBroadcastingArithmetic() {
        let a = parameter([3, 4], seed: 1), b = parameter([4], seed: 2), c = parameter([3, 1], seed: 3, offset: 2)
        assertGradientsMatch([a, b]) { weighted($0[0] + $0[1]) }
        assertGradientsMatch([a, b]) { weighted($0[0] - $0[1]) }
        assertGradientsMatch([a, c]) { weighted($0[0] * $0[1]) }
        assertGradientsMatch([a, c]) { weighted($0[0] / $0[1]) }
        assertGradientsMatch([a]) { weighted(-$0[0] * 3 + 1) }
    }

    func testElementwiseFunctions() {
        let x = parameter([2, 5], seed: 4)
        assertGradientsMatch([x]) { weighted($0[0].tanh()) }
        assertGradientsMatch([x]) { weighted($0[0].sigmoid()) }
        assertGradientsMatch([x]) { weighted(sigmoid($0[0])) }
        assertGradientsMatch([x]) { weighted($0[0].exp()) }
        assertGradientsMatch([x]) { weighted($0[0].squared()) }
        let positive = parameter([2, 5], seed: 5, offset: 3)
        assertGradientsMatch([positive]) { weighted($0[0].log()) }
        assertGradientsMatch([positive]) { weighted($0[0].sqrt()) }
        assertGradientsMatch([positive]) { weighted($0[0].pow(1.5)) }
        // ReLU is not differentiable at 0: keep inputs away from it.
        let shifted = Tensor(shape: [6], scalars: [-1.2, -0.5, -0.3, 0.4, 0.9, 1.7]).requiringGrad()
        assertGradientsMatch([shifted]) { weighted($0[0].relu()) }
    }

    func testShapeOperations() {
        let x = parameter([2, 3, 4], seed: 6)
        assertGradientsMatch([x]) { weighted($0[0].reshaped([6, -1])) }
        assertGradientsMatch([x]) { weighted($0[0].permuted([2, 0, 1])) }
        assertGradientsMatch([x]) { weighted($0[0].T) }
        assertGradientsMatch([x]) { weighted($0[0][1]) }
        assertGradientsMatch([x]) { weighted($0[0][0..<1] * 2) }
        let y = parameter([2, 3, 4], seed: 7)
        for axis in 0...3 {
            assertGradientsMatch([x, y]) { weighted(Tensor.stack([$0[0], $0[1]], axis: axis)) }
        }
        assertGradientsMatch([x, y]) { weighted(Tensor.concatenate([$0[0], $0[1]], axis: 1)) }
    }

    /// Every step of an unstacked input, some used twice, some not at all: the slices'
    /// gradients are placed into the input's (no zero-padded copy per step).
    func testUnstackedStepsGradientsArePlacedIntoTheInputs() {
        let x = parameter([5, 3, 4], seed: 12)
        func steps(_ inputs: [Tensor]) -> Tensor {
            let parts = inputs[0].tanh().unstacked()
            return weighted(parts[0] * parts[3] + parts[1]) + weighted(parts[3].exp()) + weighted(parts[1] * 2)
        }
        assertGradientsMatch([x], steps)
        x.grad = nil
        steps([x]).backward()
        let placed = x.grad!.scalars
        XCTAssertTrue(placed[24..<36].allSatisfy { $0 == 0 } && placed[48...].allSatisfy { $0 == 0 },
                      "steps 2 and 4 are unused: their gradient stays zero")
        XCTAssertTrue(placed[0..<24].contains { $0 != 0 } && placed[36..<48].contains { $0 != 0 })
    }

    func testMatrixProduct() {
        let a = parameter([3, 4], seed: 8), b = parameter([4, 5], seed: 9)
        assertGradientsMatch([a, b]) { weighted($0[0].matmul($0[1])) }
    }

    func testOneHotProductEqualsDenseProductWithSameGradient() {
        let w = parameter([5, 3], seed: 10)
        let indices = Tensor([[0, 2, 4], [1, 1, 3]])
        let encoded = indices.oneHot(classes: 5)
        let dense = Tensor(shape: encoded.shape, scalars: encoded.scalars)  // no one-hot tag
        XCTAssertNotNil(encoded.oneHotIndices)
        let fast = encoded.reshaped([-1, 5]).matmul(w)
        let slow = dense.reshaped([-1, 5]).matmul(w)
        XCTAssertEqual(fast.scalars, slow.scalars)
        assertGradientsMatch([w]) { weighted(encoded[1].matmul($0[0])) }
    }

    func testEmbeddingLookup() {
        let table = parameter([6, 2], seed: 11)
        let indices = Tensor([[5, 0], [2, 2]])
        XCTAssertEqual(indices.embedding(in: table).shape, [2, 2, 2])
        assertGradientsMatch([table]) { weighted(indices.embedding(in: $0[0])) }
    }

    func testReductions() {
        let x = parameter([3, 4], seed: 12)
        assertGradientsMatch([x]) { $0[0].sum() * 0.5 }
        assertGradientsMatch([x]) { $0[0].mean() }
        assertGradientsMatch([x]) { weighted($0[0].sum(axis: 0)) }
        assertGradientsMatch([x]) { weighted($0[0].sum(axis: 1)) }
    }

    func testSoftmaxCrossEntropy() {
        let logits = parameter([4, 5], seed: 13)
        let targets = Tensor([0, 3, 4, 3])
        assertGradientsMatch([logits]) { $0[0].softmaxCrossEntropy(targets: targets) }
    }

    func testReusedTensorAccumulatesGradient() {
        let x = parameter([3], seed: 14)
        assertGradientsMatch([x]) { weighted($0[0] * $0[0] + $0[0]) }
    }
}
