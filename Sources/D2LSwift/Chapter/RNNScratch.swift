// Generated from Chapters/rnn-scratch.md by `d2l-run save-library`: edit the chapter, not this file.
// The chapter's cells hold the real code, as d2l's do; this copy lets other programs
// (the benchmark, the tests) use it without running the notebook.
import CellProtocol
import ChapterRuntime
import Foundation
/// A recurrent layer written from scratch: one tanh step per time step.
public class RNNScratch: Module {
    public let numInputs: Int
    public let numHiddens: Int
    public let sigma: Float
    public let W_xh: Tensor
    public let W_hh: Tensor
    public let b_h: Tensor

    public init(numInputs: Int, numHiddens: Int, sigma: Float = 0.01) {
        self.numInputs = numInputs
        self.numHiddens = numHiddens
        self.sigma = sigma
        W_xh = (Tensor.randn([numInputs, numHiddens]) * sigma).requiringGrad()
        W_hh = (Tensor.randn([numHiddens, numHiddens]) * sigma).requiringGrad()
        b_h = Tensor.zeros([numHiddens]).requiringGrad()
        super.init()
    }
}

extension RNNScratch: RecurrentLayer {
    /// Runs the layer over `inputs` of shape (steps, batch, inputs), starting from `state`.
    public func callAsFunction(_ inputs: Tensor, state: Tensor? = nil) -> (outputs: [Tensor], state: Tensor?) {
        var state = state
        var outputs: [Tensor] = []
        for X in inputs.unstacked() {
            var preActivation = matmul(X, W_xh) + b_h
            if let H = state { preActivation = preActivation + matmul(H, W_hh) }
            state = tanh(preActivation)
            outputs.append(state!)
        }
        return (outputs, state)
    }
}

/// Stops the cell with a clear message unless `a` has `n` elements.
public func checkLen<C: Collection>(_ a: C, _ n: Int, file: String = #fileID, line: Int = #line) {
    if a.count != n {
        CellRuntime.fail("list's length \(a.count) != expected length \(n)", file: file, line: line)
    }
    display(.check(Check(description: "length \(n)")))
}

/// Stops the cell with a clear message unless `a` has the shape `shape`.
public func checkShape(_ a: Tensor, _ shape: [Int], file: String = #fileID, line: Int = #line) {
    if a.shape != shape {
        CellRuntime.fail("tensor's shape \(a.shape) != expected shape \(shape)", file: file, line: line)
    }
    display(.check(Check(description: "shape \(shape)")))
}

/// A character-level language model around a recurrent layer (an ``RNNScratch`` here).
open class RNNLMScratch: Classifier {
    public let rnn: any RecurrentLayer
    public let vocabSize: Int
    public var W_hq: Tensor!
    public var b_q: Tensor!

    public init(rnn: any RecurrentLayer, vocabSize: Int, lr: Float = 0.01) {
        self.rnn = rnn
        self.vocabSize = vocabSize
        super.init(lr: lr)
        initParams()
    }

    /// Makes the output layer's parameters.
    open func initParams() {
        W_hq = (Tensor.randn([rnn.numHiddens, vocabSize]) * rnn.sigma).requiringGrad()
        b_q = Tensor.zeros([vocabSize]).requiringGrad()
    }

    open override func trainingStep(_ batch: Batch) -> Tensor {
        let l = loss(self(batch.inputs), batch.targets)
        plot("ppl", exp(l), train: true)
        return l
    }

    open override func validationStep(_ batch: Batch) {
        let l = loss(self(batch.inputs), batch.targets)
        plot("ppl", exp(l), train: false)
    }

    /// One-hot vectors of a (batch, steps) index tensor, as (steps, batch, vocabSize).
    public func oneHot(_ X: Tensor) -> Tensor {
        X.T.oneHot(classes: vocabSize)
    }

    /// Maps each step's hidden state to vocabulary scores: (batch, steps, vocabSize).
    open func outputLayer(_ rnnOutputs: [Tensor]) -> Tensor {
        let outputs = rnnOutputs.map { H in matmul(H, W_hq) + b_q }
        return stack(outputs, axis: 1)
    }

    /// Scores for the next token at every position of a (batch, steps) index tensor.
    open func callAsFunction(_ X: Tensor, state: Tensor? = nil) -> Tensor {
        let embs = oneHot(X)
        let (rnnOutputs, _) = rnn(embs, state: state)
        return outputLayer(rnnOutputs)
    }
}

/// Rescales the gradients of `model` so that their global norm is at most `gradClipVal`.
public func clipGradients(_ gradClipVal: Float, _ model: Module) {
    let params = model.parameters().filter { $0.grad != nil }
    let norm = params.map { $0.grad!.squared().sum().item }.reduce(0, +).squareRoot()
    if norm > gradClipVal {
        for param in params {
            param.grad = param.grad! * (gradClipVal / norm)
        }
    }
}

extension RNNLMScratch {
    /// Warms the state up on `prefix`, then appends `numPreds` most likely characters.
    public func predict(_ prefix: String, _ numPreds: Int, _ vocab: Vocabulary) -> String {
        GradientMode.withoutGradients {
            let prefix = Array(prefix)
            var state: Tensor? = nil
            var outputs = [vocab[prefix[0]]]
            for i in 0..<(prefix.count + numPreds - 1) {
                let X = Tensor([[Float(outputs.last!)]])
                let (rnnOutputs, newState) = rnn(oneHot(X), state: state)
                state = newState
                if i < prefix.count - 1 {  // Warm-up: feed the prefix, predict nothing.
                    outputs.append(vocab[prefix[i + 1]])
                } else {  // Predict one character and feed it back.
                    let Y = outputLayer(rnnOutputs)
                    outputs.append(Int(Y.argmax(axis: 2).item))
                }
            }
            return outputs.map { vocab.token($0) }.joined()
        }
    }
}
