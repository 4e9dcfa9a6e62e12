/// A source of training and validation minibatches (`d2l.DataModule`).
public protocol DataModule {
    /// This epoch's training batches (shuffled afresh on each call).
    func trainBatches() -> [Batch]
    /// The validation batches, in order.
    func validationBatches() -> [Batch]
}
