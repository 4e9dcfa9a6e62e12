import XCTest
@testable import D2LSwift

/// A batch split between two threads must give the whole batch's gradients and metrics.
final class DataParallelStepTests: XCTestCase {
    private var savedThreads = Parallelism.threads

    override func setUp() { savedThreads = Parallelism.threads }
    override func tearDown() { Parallelism.threads = savedThreads }

    private func model() -> RNNLMScratch {
        Random.seed(9)
        return RNNLMScratch(rnn: RNNScratch(numInputs: 28, numHiddens: 32, sigma: 0.3), vocabSize: 28, lr: 1)
    }

    private let batch = Batch(inputs: Tensor(shape: [300, 7], scalars: (0..<2100).map { Float(($0 * 11) % 28) }),
                              targets: Tensor(shape: [300, 7], scalars: (0..<2100).map { Float(($0 * 5 + 3) % 28) }))

    func testSplitBatchGivesTheWholeBatchsGradientsAndLoss() throws {
        Parallelism.threads = 1
        let whole = model()
        let loss = whole.trainingStep(batch)
        loss.backward()
        whole.board.finishEpoch()

        Parallelism.threads = 2
        let split = model()
        let halves = try XCTUnwrap(DataParallelStep.halves(of: batch))
        XCTAssertEqual(halves.map { $0.copied().inputs.shape }, [[150, 7], [150, 7]])
        XCTAssertEqual(halves[1].copied().targets.scalars, Array(batch.targets.scalars[(150 * 7)...]))
        DataParallelStep.train(split, on: halves)
        split.board.finishEpoch()

        for (a, b) in zip(split.parameters(), whole.parameters()) {
            let (x, y) = (try XCTUnwrap(a.grad).scalars, try XCTUnwrap(b.grad).scalars)
            XCTAssertEqual(x.count, y.count)
            let scale = y.map(abs).max()!
            for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: 1e-5 * scale) }
        }
        // Perplexity is exp of the mean loss: the halves' weighted mean is within rounding of it here.
        let splitPPL = try XCTUnwrap(split.board.latest("train_ppl"))
        let wholePPL = try XCTUnwrap(whole.board.latest("train_ppl"))
        XCTAssertEqual(splitPPL, wholePPL, accuracy: 1e-3 * wholePPL)
        XCTAssertEqual(split.board.history["train_ppl"]?.count, 1)
    }

    func testSplitValidationRecordsOnePointWithoutGradients() throws {
        Parallelism.threads = 2
        let split = model()
        DataParallelStep.validate(split, on: try XCTUnwrap(DataParallelStep.halves(of: batch)))
        split.board.finishEpoch()
        XCTAssertTrue(split.parameters().allSatisfy { $0.grad == nil })
        XCTAssertEqual(split.board.history["val_ppl"]?.count, 1)
        XCTAssertTrue(GradientMode.isEnabled)
    }

    func testSmallBatchesAndOneThreadAreNotSplit() {
        Parallelism.threads = 1
        XCTAssertNil(DataParallelStep.halves(of: batch))
        Parallelism.threads = 2
        XCTAssertNil(DataParallelStep.halves(of: Batch(inputs: batch.inputs[0..<100], targets: batch.targets[0..<100])))
    }
}

/// The trainer's batch split, end to end: clipping and the optimiser's step see the whole
/// batch's gradients, and the board one point per batch.
final class SplitTrainingTests: XCTestCase {
    private func train(splittingBatches: Bool) throws -> (parameters: [[Float]], history: [String: [Double]]) {
        let saved = Parallelism.threads
        Parallelism.threads = 2
        defer { Parallelism.threads = saved }
        Random.seed(3)
        let data = try TimeMachine(batchSize: 256, numSteps: 8, numTrain: 640, numVal: 300)
        let model = RNNLMScratch(rnn: RNNScratch(numInputs: data.vocab.count, numHiddens: 32), vocabSize: data.vocab.count, lr: 1)
        let trainer = Trainer(maxEpochs: 2, gradientClipVal: 1)
        trainer.showsFigure = false
        trainer.reportsProgress = false
        trainer.splitsBatches = splittingBatches
        trainer.fit(model, data)
        return (model.parameters().map(\.scalars), model.board.history)
    }

    func testSplitBatchesTrainLikeWholeOnes() throws {
        let split = try train(splittingBatches: true), whole = try train(splittingBatches: false)
        XCTAssertEqual(split.history.keys.sorted(), ["train_ppl", "val_ppl"])
        for key in ["train_ppl", "val_ppl"] {
            let (a, b) = (try XCTUnwrap(split.history[key]), try XCTUnwrap(whole.history[key]))
            XCTAssertEqual(a.count, 2)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-3 * y) }
        }
        for (a, b) in zip(split.parameters, whole.parameters) {
            let scale = b.map(abs).max() ?? 1
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-4 * scale) }
        }
    }
}

/// Before splitting a batch between threads, the trainer runs each batch shape's steps once
/// whole on its own thread, so that a mistake in them stops the program there, about the
/// author's batch, every run the same; and that run leaves nothing behind.
final class SplitStepRehearsalTests: XCTestCase {
    private var savedThreads = Parallelism.threads

    override func setUp() {
        savedThreads = Parallelism.threads
        Parallelism.threads = 2
    }

    override func tearDown() { Parallelism.threads = savedThreads }

    /// A language model that notes each step it runs: which, on how many rows, on which thread,
    /// and whether work in it could be split. With ``drawsRandomNumbers`` its training step
    /// draws from the shared generator, as dropout would (not in split steps: the generator is
    /// not for two threads at once).
    private final class StepRecordingLM: RNNLMScratch {
        struct Step: Equatable {
            let training: Bool
            let rows: Int
            let onCallingThread: Bool
            let couldSplit: Bool
        }

        var drawsRandomNumbers = false
        private let callingThread = Thread.current
        private let lock = NSLock()
        private var recorded: [Step] = []
        var steps: [Step] { lock.withLock { recorded } }

        private func note(training: Bool, _ batch: Batch) {
            let step = Step(training: training, rows: batch.inputs.shape[0],
                            onCallingThread: Thread.current == callingThread, couldSplit: Parallelism.canSplit)
            lock.withLock { recorded.append(step) }
        }

        override func trainingStep(_ batch: Batch) -> Tensor {
            note(training: true, batch)
            let loss = super.trainingStep(batch)
            return drawsRandomNumbers ? loss + (Tensor.randn([1]) * 0).sum() : loss
        }

        override func validationStep(_ batch: Batch) {
            note(training: false, batch)
            super.validationStep(batch)
        }
    }

    private struct FixedBatches: DataModule {
        let train: [Batch]
        let validation: [Batch]
        func trainBatches() -> [Batch] { train }
        func validationBatches() -> [Batch] { validation }
    }

    private func batch(rows: Int) -> Batch {
        Batch(inputs: Tensor(shape: [rows, 7], scalars: (0..<(rows * 7)).map { Float(($0 * 11) % 28) }),
              targets: Tensor(shape: [rows, 7], scalars: (0..<(rows * 7)).map { Float(($0 * 5 + 3) % 28) }))
    }

    private func model() -> StepRecordingLM {
        Random.seed(4)
        return StepRecordingLM(rnn: RNNScratch(numInputs: 28, numHiddens: 32), vocabSize: 28, lr: 1)
    }

    func testEachBatchShapeIsFirstRunWholeOnTheCallingThreadOncePerFit() {
        let model = model()
        let data = FixedBatches(train: [batch(rows: 300), batch(rows: 300), batch(rows: 200)],
                                validation: [batch(rows: 300)])
        let trainer = Trainer(maxEpochs: 2, gradientClipVal: 1)
        trainer.showsFigure = false
        trainer.reportsProgress = false
        trainer.fit(model, data)

        let steps = model.steps
        XCTAssertEqual(steps.first, .init(training: true, rows: 300, onCallingThread: true, couldSplit: false),
                       "the first step the model sees is the whole first batch, on the calling thread, unsplit")
        let whole = steps.filter { $0.rows >= 200 }
        XCTAssertEqual(whole, [.init(training: true, rows: 300, onCallingThread: true, couldSplit: false),
                               .init(training: true, rows: 200, onCallingThread: true, couldSplit: false),
                               .init(training: false, rows: 300, onCallingThread: true, couldSplit: false)],
                       "one whole run per batch shape and step kind, in the first epoch only")
        // The training itself is the split one, unchanged: every batch in halves, both epochs.
        let halves = steps.filter { $0.rows < 200 }
        XCTAssertEqual(halves.filter(\.training).map(\.rows).sorted(), [Int](repeating: 100, count: 4) + [Int](repeating: 150, count: 8))
        XCTAssertEqual(halves.filter { !$0.training }.map(\.rows), [Int](repeating: 150, count: 4))
        XCTAssertEqual(model.board.history["train_ppl"]?.count, 2)
        XCTAssertEqual(model.board.history["val_ppl"]?.count, 2)
    }

    func testARehearsalLeavesNoTrace() {
        let model = model()
        model.drawsRandomNumbers = true
        let batch = batch(rows: 300)
        var expectedGenerator = Random.generator
        DataParallelStep.rehearseTraining(model, on: batch)
        DataParallelStep.rehearseValidation(model, on: batch)

        XCTAssertEqual(model.steps.map(\.rows), [300, 300], "both steps ran, on the whole batch")
        XCTAssertEqual(Random.generator.next(), expectedGenerator.next(), "the step's random draws are undone")
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad == nil }, "no gradient reaches the parameters")
        XCTAssertTrue(model.board.keys.isEmpty, "no metric reaches the board")
        model.board.finishEpoch()
        XCTAssertTrue(model.board.history.isEmpty)
        let context = ThreadContext.current
        XCTAssertNil(context.metricLog)
        XCTAssertNil(context.gradientSink)
        XCTAssertTrue(GradientMode.isEnabled)
        XCTAssertEqual(Parallelism.threads, 2)
    }
}
