import XCTest
@testable import D2LSwift

/// Deferred values (one-hot rows, sums added up by the operation that reads them) must give
/// exactly what eager evaluation gives, and must not see later changes to their operands.
final class DeferredValuesTests: XCTestCase {
    override func tearDown() {
        DeferredValues.sumsAreDeferred = true
    }

    /// The chapter's model on a batch big enough for every deferred path: lookup + bias + product
    /// into tanh, the state's gradients from two uses (two deferred products) added inside
    /// tanh's backward, the output layer's bias sums stacked, and the stacked gradient read in
    /// place by the products. `loss` turns the model's output into a scalar.
    private func lossAndGradients(deferring: Bool, _ loss: (RNNLMScratch, Tensor, Tensor) -> Tensor) -> (Float, [[Float]]) {
        DeferredValues.sumsAreDeferred = deferring
        Random.seed(5)
        let rnn = RNNScratch(numInputs: 28, numHiddens: 32, sigma: 0.3)
        let model = RNNLMScratch(rnn: rnn, vocabSize: 28, lr: 1)
        // Biases start at zero, where adding them in any order gives the same bits.
        rnn.b_h.scalars = (0..<32).map { Float($0) * 0.013 - 0.2 }
        model.b_q.scalars = (0..<28).map { Float($0) * 0.017 - 0.2 }
        // 300 rows: the loss's blocks of 64 rows end with a short one.
        let inputs = Tensor(shape: [300, 6], scalars: (0..<1800).map { Float(($0 * 11) % 28) })
        let targets = Tensor(shape: [300, 6], scalars: (0..<1800).map { Float(($0 * 3 + 1) % 28) })
        let l = loss(model, model(inputs), targets)
        l.backward()
        return (l.item, model.parameters().map { $0.grad!.scalars })
    }

    /// A loss read from the stacked logits' values (not the fused cross-entropy) keeps every bit.
    func testTrainingStepGivesTheEagerBits() {
        let weights = Tensor(shape: [300, 6, 28], scalars: (0..<50400).map { Float(($0 * 7) % 13) * 0.01 - 0.06 })
        let weighted = { (_: RNNLMScratch, logits: Tensor, _: Tensor) in (logits * weights).sum() }
        let (eagerLoss, eager) = lossAndGradients(deferring: false, weighted)
        let (deferredLoss, deferred) = lossAndGradients(deferring: true, weighted)
        XCTAssertEqual(deferredLoss.bitPattern, eagerLoss.bitPattern)
        XCTAssertEqual(deferred.count, 5)
        for (a, b) in zip(deferred, eager) { XCTAssertEqual(a, b) }
    }

    /// The cross-entropy of stacked logits takes the rows step by step instead of row by row:
    /// the same loss and gradients up to rounding.
    func testStackedCrossEntropyMatchesTheEagerOne() {
        let crossEntropy = { (model: RNNLMScratch, logits: Tensor, targets: Tensor) -> Tensor in
            if DeferredValues.sumsAreDeferred, case .stacked? = logits.deferred {} else if DeferredValues.sumsAreDeferred {
                XCTFail("the output layer's logits are not kept as stacked parts")
            }
            return model.loss(logits, targets)
        }
        let (eagerLoss, eager) = lossAndGradients(deferring: false, crossEntropy)
        let (deferredLoss, deferred) = lossAndGradients(deferring: true, crossEntropy)
        XCTAssertEqual(deferredLoss, eagerLoss, accuracy: 1e-6 * eagerLoss)
        XCTAssertEqual(deferred.count, 5)
        for (a, b) in zip(deferred, eager) {
            let scale = b.map(abs).max()!
            XCTAssertGreaterThan(scale, 0)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5 * scale) }
        }
    }

    /// Validation computes the stacked cross-entropy without a gradient, block by block in
    /// scratch: the same loss, to the bit, as training's pass that keeps the gradient.
    func testStackedCrossEntropyWithoutGradientGivesTheSameLoss() {
        Random.seed(9)
        let w = Tensor.randn([32, 28]).requiringGrad(), bias = Tensor.randn([28])
        let states = (0..<5).map { _ in Tensor.randn([300, 32]) }
        let targets = Tensor(shape: [1500], scalars: (0..<1500).map { Float(($0 * 5) % 28) })
        func loss() -> Tensor {
            stack(states.map { matmul($0, w) + bias }, axis: 1).reshaped([-1, 28]).softmaxCrossEntropy(targets: targets)
        }
        let training = loss()
        let validation = GradientMode.withoutGradients { loss() }
        XCTAssertNotNil(training.node)
        XCTAssertEqual(validation.item.bitPattern, training.item.bitPattern)
        DeferredValues.sumsAreDeferred = false
        XCTAssertEqual(loss().item, training.item, accuracy: 1e-6 * training.item)
    }

    /// A narrow product is deferred and read by blocks: alone, plus a bias, after other terms,
    /// and stacked, it gives the eager product's bits.
    func testDeferredProductReadsLikeAnEagerOne() {
        let enabled = NarrowProduct.isEnabled
        NarrowProduct.isEnabled = true  // deferred only where the kernels are used (AVX-512 builds)
        defer { NarrowProduct.isEnabled = enabled }
        let h = Tensor(shape: [300, 32], scalars: (0..<9600).map { Float(($0 * 13) % 17) * 0.1 - 0.8 })
        let w = Tensor(shape: [32, 28], scalars: (0..<896).map { Float(($0 * 7) % 11) * 0.05 - 0.25 })
        let bias = Tensor((0..<28).map { Float($0) * 0.01 })
        let other = Tensor(shape: [300, 28], scalars: (0..<8400).map { Float($0 % 9) * 0.3 })
        let deferredProduct = matmul(h, w)
        XCTAssertNotNil(deferredProduct.deferred)
        let deferred = [deferredProduct, deferredProduct + bias, other + deferredProduct + bias,
                        stack([deferredProduct + bias, other + deferredProduct], axis: 1)]
        DeferredValues.sumsAreDeferred = false
        let eagerProduct = matmul(h, w)
        XCTAssertNil(eagerProduct.deferred)
        let eager = [eagerProduct, eagerProduct + bias, other + eagerProduct + bias,
                     stack([eagerProduct + bias, other + eagerProduct], axis: 1)]
        for (x, y) in zip(deferred, eager) {
            XCTAssertEqual(x.shape, y.shape)
            XCTAssertEqual(x.scalars.map(\.bitPattern), y.scalars.map(\.bitPattern))
        }
    }

    func testDeferredSumIsDeferredAndReadsLikeAnEagerOne() {
        let a = Tensor(shape: [128, 40], scalars: (0..<5120).map { Float($0 % 13) * 0.25 })
        let b = Tensor(shape: [40], scalars: (0..<40).map { Float($0) - 20 })
        let c = Tensor(shape: [128, 40], scalars: (0..<5120).map { Float($0 % 7) * -0.5 })
        let sum = a + b + c
        XCTAssertNotNil(sum.deferred)
        DeferredValues.sumsAreDeferred = false
        let eager = a + b + c
        XCTAssertNil(eager.deferred)
        XCTAssertEqual(sum.scalars, eager.scalars)
        XCTAssertNil(sum.deferred, "reading the values computes them once")
        XCTAssertEqual(tanh(a + b + c).scalars, tanh(eager).scalars)
    }

    func testDeferredSumKeepsTheOperandsValuesItWasBuiltFrom() {
        let a = Tensor(shape: [64, 64], scalars: [Float](repeating: 1, count: 4096))
        let bias = Tensor(shape: [64], scalars: [Float](repeating: 2, count: 64))
        let sum = a + bias
        a.scalars[0] = 100
        bias.scalars[1] = 100
        XCTAssertEqual(sum.scalars[0], 3)
        XCTAssertEqual(sum.scalars[1], 3)
    }

    func testOneHotSlicesAreOneHotRows() {
        let indices = Tensor(shape: [3, 4], scalars: [0, 2, 1, 3, 3, 0, 1, 2, 2, 2, 0, 1])
        let encoded = indices.oneHot(classes: 4)
        let dense = Tensor(shape: encoded.shape, scalars: encoded.scalars)
        XCTAssertEqual(encoded[1].scalars, dense[1].scalars)
        XCTAssertEqual(encoded[1..<3].scalars, dense[1..<3].scalars)
        XCTAssertEqual(encoded[2].oneHotIndices, [2, 2, 0, 1])
        let changed = indices.oneHot(classes: 4)
        changed.scalars[0] = 5
        XCTAssertNil(changed.oneHotIndices, "a changed tensor is no longer one-hot")
    }
}
