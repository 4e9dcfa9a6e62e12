import Foundation

extension Tensor {
    /// Applies `F` to every element; its gradient multiplies by `F.derivative`.
    func pointwise<F: PointwiseFunction>(_ function: F.Type) -> Tensor {
        let values = Kernels.map(self, F.self)
        return Tensor(shape: shape, scalars: values, inputs: [self]) { [self] g in
            let x = F.derivativeReadsInput ? self.scalars : values
            return [Tensor(shape: g.shape, scalars: Kernels.gradient(g, x: x, y: values, F.self))]
        }
    }

    /// Applies a closure elementwise (for functions with a parameter); `derivative(x, y)` is
    /// dy/dx given the input and the output. Runs on one thread.
    func elementwise(_ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        let values = scalars.map(f)
        return Tensor(shape: shape, scalars: values, inputs: [self]) { [self] g in
            [Tensor(shape: g.shape, scalars: (0..<g.count).map { g.scalars[$0] * derivative(self.scalars[$0], values[$0]) })]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor { pointwise(TanhFunction.self) }
    /// Rectified linear unit, max(x, 0).
    public func relu() -> Tensor { pointwise(ReLUFunction.self) }
    /// Logistic sigmoid.
    public func sigmoid() -> Tensor { pointwise(SigmoidFunction.self) }
    /// Exponential.
    public func exp() -> Tensor { pointwise(ExpFunction.self) }
    /// Natural logarithm.
    public func log() -> Tensor { pointwise(LogFunction.self) }
    /// Square root.
    public func sqrt() -> Tensor { pointwise(SquareRootFunction.self) }
    /// Each element raised to `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        elementwise({ Foundation.powf($0, exponent) }) { x, _ in exponent * Foundation.powf(x, exponent - 1) }
    }
    /// Each element squared.
    public func squared() -> Tensor { pointwise(SquareFunction.self) }
}

/// Hyperbolic tangent, as a free function for code that reads like the maths.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// Exponential of each element.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Natural logarithm of each element.
public func log(_ x: Tensor) -> Tensor { x.log() }
/// Rectified linear unit of each element.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// Logistic sigmoid of each element, 1 / (1 + exp(-x)): the gates of GRUs and LSTMs.
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
