/// What ``Trainer`` needs of an optimiser: forget the gradients before a backward pass, and
/// update the parameters after it (`torch.optim.Optimizer`'s `zero_grad` and `step`).
///
/// ``SGD`` is the library's; a chapter adopts the protocol for its own (momentum, Adam) and
/// returns it from ``Module/configureOptimizer()``:
///
/// ```swift
/// final class Momentum: Optimizer {
///     let parameters: [Tensor]
///     var lr: Float, beta: Float = 0.9
///     var velocities: [[Float]]
///     // ...
///     func step() { /* v = beta * v + grad; p -= lr * v */ }
///     func zeroGrad() { for p in parameters { p.grad = nil } }
/// }
/// ```
public protocol Optimizer: AnyObject {
    /// Updates every parameter from its gradient; parameters without a gradient stay put.
    func step()
    /// Forgets every parameter's gradient, so the next backward pass starts from nothing.
    func zeroGrad()
}
