/// Minibatch stochastic gradient descent: `p -= lr * p.grad` for every parameter.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var lr: Float

    public init(parameters: [Tensor], lr: Float) {
        self.parameters = parameters
        self.lr = lr
    }

    /// Takes one step along the negative gradient; parameters without a gradient stay put.
    public func step() {
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            let rate = lr
            grad.scalars.withUnsafeBufferPointer { g in
                parameter.scalars.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count { p[i] -= rate * g[i] }
                }
            }
        }
    }

    /// Forgets every parameter's gradient.
    public func zeroGrad() {
        for parameter in parameters { parameter.grad = nil }
    }
}
