import Foundation

extension Tensor {
    /// Applies `f` elementwise; `derivative(x, y)` is dy/dx given the input and the output.
    @inline(__always)
    func elementwise(_ f: (Float) -> Float,
                     derivative: @escaping (Float, Float) -> Float) -> Tensor {
        let values = Kernels.map(scalars, f)
        return Tensor(shape: shape, scalars: values, inputs: [self]) { [self] g in
            // One pass: upstream gradient times the local derivative.
            let count = g.count
            let grad = [Float](unsafeUninitializedCapacity: count) { out, initialized in
                g.scalars.withUnsafeBufferPointer { gs in
                    self.scalars.withUnsafeBufferPointer { xs in
                        values.withUnsafeBufferPointer { ys in
                            for i in 0..<count { out[i] = gs[i] * derivative(xs[i], ys[i]) }
                        }
                    }
                }
                initialized = count
            }
            return [Tensor(shape: g.shape, scalars: grad)]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor { elementwise(FastMath.tanh) { _, y in 1 - y * y } }
    /// Rectified linear unit, max(x, 0).
    public func relu() -> Tensor { elementwise({ max($0, 0) }) { x, _ in x > 0 ? 1 : 0 } }
    /// Logistic sigmoid.
    public func sigmoid() -> Tensor { elementwise({ 1 / (1 + FastMath.exp(-$0)) }) { _, y in y * (1 - y) } }
    /// Exponential.
    public func exp() -> Tensor { elementwise(FastMath.exp) { _, y in y } }
    /// Natural logarithm.
    public func log() -> Tensor { elementwise(Foundation.logf) { x, _ in 1 / x } }
    /// Square root.
    public func sqrt() -> Tensor { elementwise({ $0.squareRoot() }) { _, y in 0.5 / y } }
    /// Each element raised to `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        elementwise({ Foundation.powf($0, exponent) }) { x, _ in exponent * Foundation.powf(x, exponent - 1) }
    }
    /// Each element squared.
    public func squared() -> Tensor { elementwise({ $0 * $0 }) { x, _ in 2 * x } }
}

/// Hyperbolic tangent, as a free function for code that reads like the maths.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// Exponential of each element.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Natural logarithm of each element.
public func log(_ x: Tensor) -> Tensor { x.log() }
/// Rectified linear unit of each element.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
