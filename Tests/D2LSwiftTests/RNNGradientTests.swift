import XCTest
@testable import D2LSwift

/// The whole model: the loss of a small RNN language model against finite differences, and
/// clipping and the module machinery around it.
final class RNNGradientTests: XCTestCase {
    private func smallModel() -> RNNLMScratch {
        Random.seed(3)
        let rnn = RNNScratch(numInputs: 5, numHiddens: 4, sigma: 0.5)
        return RNNLMScratch(rnn: rnn, vocabSize: 5, lr: 1)
    }

    func testLanguageModelLossGradientMatchesFiniteDifferences() {
        let model = smallModel()
        let inputs = Tensor([[0, 1, 4, 2], [3, 3, 1, 0]])
        let targets = Tensor([[1, 4, 2, 2], [3, 1, 0, 4]])
        let parameters = model.parameters()
        XCTAssertEqual(parameters.count, 5)
        assertGradientsMatch(parameters) { _ in model.loss(model(inputs), targets) }
    }

    /// The same with enough rows (520 of 8 characters) that the output layer's logits stay
    /// stacked parts and the cross-entropy takes them step by step (blocks of 64 rows, the last
    /// one short), and its gradient goes back one matrix per step.
    func testStackedLogitsLossGradientMatchesFiniteDifferences() {
        Random.seed(4)
        let model = RNNLMScratch(rnn: RNNScratch(numInputs: 8, numHiddens: 4, sigma: 0.5), vocabSize: 8, lr: 1)
        let inputs = Tensor(shape: [130, 4], scalars: (0..<520).map { Float(($0 * 5) % 8) })
        let targets = Tensor(shape: [130, 4], scalars: (0..<520).map { Float(($0 * 3 + 1) % 8) })
        if case .stacked? = model(inputs).deferred {} else { XCTFail("the logits are not kept as stacked parts") }
        assertGradientsMatch(model.parameters()) { _ in model.loss(model(inputs), targets) }
    }

    func testOutputShapes() {
        let model = smallModel()
        let out = model(Tensor.ones([2, 7]))
        XCTAssertEqual(out.shape, [2, 7, 5])
        let (steps, state) = model.rnn(Tensor.ones([7, 2, 5]), state: nil)
        XCTAssertEqual(steps.count, 7)
        XCTAssertEqual(state?.shape, [2, 4])
    }

    func testClippingBoundsTheGlobalNorm() {
        let model = smallModel()
        let loss = model.loss(model(Tensor([[0, 1, 2]])), Tensor([[1, 2, 3]])) * 1000
        loss.backward()
        clipGradients(1, model)
        let norm = model.parameters().map { $0.grad!.squared().sum().item }.reduce(0, +).squareRoot()
        XCTAssertEqual(norm, 1, accuracy: 1e-4)
    }

    func testHyperparametersAndParametersAreFound() throws {
        let model = smallModel()
        XCTAssertEqual(model.hyperparameters["vocabSize"], "5")
        XCTAssertEqual(model.rnn.hyperparameters["numHiddens"], "4")
        let rnn = try XCTUnwrap(model.rnn as? RNNScratch)
        XCTAssertTrue(model.parameters().contains { $0 === rnn.W_hh })
    }
}

/// The two-thread paths (split products, pointwise loops, loss rows, lookups, bias sums) give
/// the gradients of the one-thread paths, on shapes large enough to be split.
final class ParallelismTests: XCTestCase {
    private func gradients(threads: Int) -> [[Float]] {
        let saved = Parallelism.threads
        Parallelism.threads = threads
        defer { Parallelism.threads = saved }
        Random.seed(11)
        let model = RNNLMScratch(rnn: RNNScratch(numInputs: 28, numHiddens: 32, sigma: 0.3), vocabSize: 28, lr: 1)
        let inputs = Tensor(shape: [512, 8], scalars: (0..<4096).map { Float(($0 * 7) % 28) })
        let targets = Tensor(shape: [512, 8], scalars: (0..<4096).map { Float(($0 * 5 + 3) % 28) })
        model.loss(model(inputs), targets).backward()
        return model.parameters().map { $0.grad!.scalars }
    }

    func testTwoThreadsGiveTheOneThreadGradients() {
        let one = gradients(threads: 1), two = gradients(threads: 2)
        XCTAssertEqual(one.count, two.count)
        for (a, b) in zip(one, two) {
            XCTAssertEqual(a.count, b.count)
            // Halves of a weight gradient's sum are added at the end: rounding differs by a few
            // ulps of the gradient's largest entries.
            let scale = a.map(abs).max() ?? 1
            let worst = zip(a, b).map { abs($0 - $1) / scale }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5)
        }
    }

    func testStatisticsCountSplitLoopsOnlyWhileRecording() {
        let saved = Parallelism.threads
        Parallelism.threads = 2
        defer { Parallelism.threads = saved; Parallelism.recordsStatistics = false }
        Parallelism.statistics = .init()
        Parallelism.recordsStatistics = true
        var sums = [Int](repeating: 0, count: 2)
        sums.withUnsafeMutableBufferPointer { buffer in
            let parts = buffer
            Parallelism.forEachPart(100_000) { part in parts[part.lowerBound == 0 ? 0 : 1] = part.count }
            Parallelism.forEachPart(10) { part in parts[0] += part.count }  // too small to split
        }
        XCTAssertEqual(sums, [50_010, 50_000])
        XCTAssertEqual(Parallelism.statistics.jobs, 1)
        XCTAssertGreaterThan(Parallelism.statistics.secondsWorking, 0)
        XCTAssertGreaterThanOrEqual(Parallelism.statistics.secondsWaiting, 0)
        Parallelism.recordsStatistics = false
        Parallelism.forEachPart(100_000) { _ in }
        XCTAssertEqual(Parallelism.statistics.jobs, 1)
    }

    /// Inside a job the worker is taken: products must not split there (their pieces would
    /// run one after the other, in costlier kernels).
    func testWorkInsideAJobDoesNotSplitAgain() {
        let saved = Parallelism.threads
        Parallelism.threads = 2
        defer { Parallelism.threads = saved }
        XCTAssertTrue(Parallelism.canSplit)
        var inside = [true, true]
        inside.withUnsafeMutableBufferPointer { flags in
            let pieces = flags
            Parallelism.pair({ pieces[0] = Parallelism.canSplit }, { pieces[1] = Parallelism.canSplit })
        }
        XCTAssertEqual(inside, [false, false])
        XCTAssertTrue(Parallelism.canSplit)
        Parallelism.threads = 1
        XCTAssertFalse(Parallelism.canSplit)
    }

    /// Work handed to the pool from inside a job runs inline, and all of it runs.
    func testPairInsideAJobRunsBothPieces() {
        let saved = Parallelism.threads
        defer { Parallelism.threads = saved }
        Parallelism.threads = 2
        var outer = [0, 0]
        outer.withUnsafeMutableBufferPointer { counts in
            let counts = counts
            Parallelism.pair({
                var inner = 0
                Parallelism.pair({ inner += 1 }, { inner += 10 })
                counts[0] = inner
            }, { counts[1] = 5 })
        }
        XCTAssertEqual(outer, [11, 5])
    }
}
