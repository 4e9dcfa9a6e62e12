import XCTest
// Not @testable: what another module (a later chapter) sees, so `open` is what is tested.
import D2LSwift

/// A later chapter extends the saved language model as d2l does: its own recurrent layer
/// (d2l's GRU section), a subclass overriding the output layer (the concise RNN section), and
/// its own optimiser through the trainer.
final class ExtendingModelsTests: XCTestCase {
    /// A minimal gated layer: one update gate between the old state and a tanh candidate.
    final class TinyGRU: Module, RecurrentLayer {
        let numInputs: Int
        let numHiddens: Int
        let W_xz: Tensor, W_hz: Tensor, b_z: Tensor
        let W_xh: Tensor, W_hh: Tensor, b_h: Tensor

        init(numInputs: Int, numHiddens: Int) {
            self.numInputs = numInputs
            self.numHiddens = numHiddens
            W_xz = (Tensor.randn([numInputs, numHiddens]) * 0.3).requiringGrad()
            W_hz = (Tensor.randn([numHiddens, numHiddens]) * 0.3).requiringGrad()
            b_z = Tensor.zeros([numHiddens]).requiringGrad()
            W_xh = (Tensor.randn([numInputs, numHiddens]) * 0.3).requiringGrad()
            W_hh = (Tensor.randn([numHiddens, numHiddens]) * 0.3).requiringGrad()
            b_h = Tensor.zeros([numHiddens]).requiringGrad()
            super.init()
        }

        func callAsFunction(_ inputs: Tensor, state: Tensor?) -> (outputs: [Tensor], state: Tensor?) {
            var H = state ?? Tensor.zeros([inputs.shape[1], numHiddens])
            var outputs: [Tensor] = []
            for X in inputs.unstacked() {
                let Z = sigmoid(matmul(X, W_xz) + matmul(H, W_hz) + b_z)
                let candidate = tanh(matmul(X, W_xh) + matmul(H, W_hh) + b_h)
                H = Z * H + (1 - Z) * candidate
                outputs.append(H)
            }
            return (outputs, H)
        }
    }

    /// d2l's concise `RNNLM`: its own output parameters in place of `W_hq` and `b_q`.
    final class ScaledOutputLM: RNNLMScratch {
        var weight: Tensor?
        private(set) var outputLayerCalls = 0

        override func initParams() {
            weight = (Tensor.randn([rnn.numHiddens, vocabSize]) * 0.3).requiringGrad()
        }

        override func outputLayer(_ rnnOutputs: [Tensor]) -> Tensor {
            outputLayerCalls += 1
            return stack(rnnOutputs.map { matmul($0, weight!) * 2 }, axis: 1)
        }
    }

    /// SGD with momentum: a chapter's own optimiser.
    final class Momentum: Optimizer {
        let parameters: [Tensor]
        let lr: Float
        let beta: Float = 0.9
        private var velocities: [[Float]]
        private(set) var steps = 0

        init(parameters: [Tensor], lr: Float) {
            self.parameters = parameters
            self.lr = lr
            velocities = parameters.map { [Float](repeating: 0, count: $0.count) }
        }

        func step() {
            steps += 1
            for (index, parameter) in parameters.enumerated() {
                guard let grad = parameter.grad?.scalars else { continue }
                for i in 0..<parameter.count {
                    velocities[index][i] = beta * velocities[index][i] + grad[i]
                    parameter.scalars[i] -= lr * velocities[index][i]
                }
            }
        }

        func zeroGrad() { for parameter in parameters { parameter.grad = nil } }
    }

    final class MomentumLM: RNNLMScratch {
        var optimizer: Momentum?
        override func configureOptimizer() -> any Optimizer {
            let optimizer = Momentum(parameters: parameters(), lr: lr)
            self.optimizer = optimizer
            return optimizer
        }
    }

    /// Windows of "abcdabcd...": each character predicts the next.
    struct Cycle: DataModule {
        static let vocab = Vocabulary(["a", "b", "c", "d"])
        func batches(_ count: Int) -> [Batch] {
            // Token i of the cycle is "abcd"[i % 4], index (i % 4) + 1 after <unk>.
            (0..<count).map { b in
                let positions = (0..<8 * 6).map { $0 + b }
                return Batch(inputs: Tensor(shape: [8, 6], scalars: positions.map { Float($0 % 4 + 1) }),
                             targets: Tensor(shape: [8, 6], scalars: positions.map { Float(($0 + 1) % 4 + 1) }))
            }
        }
        func trainBatches() -> [Batch] { batches(4) }
        func validationBatches() -> [Batch] { batches(1) }
    }

    private func fit(_ model: RNNLMScratch, epochs: Int) -> [Double] {
        let trainer = Trainer(maxEpochs: epochs, gradientClipVal: 1)
        trainer.showsFigure = false
        trainer.reportsProgress = false
        trainer.fit(model, Cycle())
        return model.board.history["train_ppl"] ?? []
    }

    func testAGatedLayerPlugsIntoTheLanguageModel() {
        Random.seed(1)
        let gru = TinyGRU(numInputs: 5, numHiddens: 8)
        let model = RNNLMScratch(rnn: gru, vocabSize: Cycle.vocab.count, lr: 1)
        XCTAssertEqual(model.parameters().count, 8, "the gate's six parameters and the output layer's two")
        XCTAssertTrue(model.parameters().contains { $0 === gru.W_xz })
        let perplexities = fit(model, epochs: 30)
        XCTAssertEqual(perplexities.count, 30)
        XCTAssertLessThan(perplexities.last!, 1.5, "a cycle of four is learnt: \(perplexities)")
        XCTAssertEqual(model.predict("ab", 6, Cycle.vocab), "abcdabcd")
    }

    func testASubclassReplacesTheOutputLayer() {
        Random.seed(2)
        let model = ScaledOutputLM(rnn: TinyGRU(numInputs: 5, numHiddens: 8), vocabSize: 5, lr: 1)
        XCTAssertNil(model.W_hq, "the overriding initParams makes the parameters instead")
        XCTAssertTrue(model.parameters().contains { $0 === model.weight })
        XCTAssertEqual(model(Tensor.ones([3, 7])).shape, [3, 7, 5])
        XCTAssertEqual(model.outputLayerCalls, 1, "the forward pass goes through the override")
        let perplexities = fit(model, epochs: 20)
        XCTAssertLessThan(perplexities.last!, perplexities.first! * 0.7, "\(perplexities)")
    }

    func testTheTrainerStepsTheModelsOwnOptimizer() {
        Random.seed(3)
        let model = MomentumLM(rnn: RNNScratch(numInputs: 5, numHiddens: 8, sigma: 0.3), vocabSize: 5, lr: 0.1)
        let perplexities = fit(model, epochs: 10)
        XCTAssertEqual(model.optimizer?.steps, 10 * 4, "one step per training batch")
        XCTAssertLessThan(perplexities.last!, perplexities.first! * 0.7, "\(perplexities)")
    }
}
