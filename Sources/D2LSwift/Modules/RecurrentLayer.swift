/// A recurrent layer a language model can be built around: it reads a sequence one time step
/// at a time, carrying a hidden state (`RNNScratch`, a GRU, an LSTM's hidden state).
///
/// d2l passes any such object to `RNNLMScratch` (`RNNLMScratch(gru, vocab_size=...)`); here
/// the language model takes `any RecurrentLayer`, so a later chapter's layer plugs in:
///
/// ```swift
/// final class GRUScratch: Module, RecurrentLayer {
///     let numHiddens: Int
///     // ... the gates' parameters
///     func callAsFunction(_ inputs: Tensor, state: Tensor?) -> (outputs: [Tensor], state: Tensor?) { ... }
/// }
/// let model = RNNLMScratch(rnn: GRUScratch(...), vocabSize: data.vocab.count, lr: 4)
/// ```
public protocol RecurrentLayer: Module {
    /// The size of the hidden state, and of each step's output.
    var numHiddens: Int { get }
    /// The standard deviation of the layer's initial weights, which a model around it may
    /// reuse for its own (d2l's `rnn.sigma`); 0.01 unless the layer says otherwise.
    var sigma: Float { get }
    /// Runs the layer over `inputs` of shape (steps, batch, inputs), starting from `state`
    /// (none: the first step has no recurrent term). Returns each step's output, of shape
    /// (batch, numHiddens), and the last state.
    func callAsFunction(_ inputs: Tensor, state: Tensor?) -> (outputs: [Tensor], state: Tensor?)
}

extension RecurrentLayer {
    /// d2l's default scale for initial weights.
    public var sigma: Float { 0.01 }
}
