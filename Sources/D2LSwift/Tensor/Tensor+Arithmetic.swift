extension Tensor {
    /// Applies a broadcasting binary operation with its two partial derivatives.
    ///
    /// `derivatives(a, b, out)` gives, per element, (d out / d a, d out / d b).
    @inline(__always)
    private static func binary(_ a: Tensor, _ b: Tensor, name: String,
                               _ f: (Float, Float) -> Float,
                               gradA: @escaping (Tensor, Tensor, Tensor) -> Tensor,
                               gradB: @escaping (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            fatalError("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let values = Broadcasting.combine(a.scalars, shape: a.shape, b.scalars, shape: b.shape,
                                          result: shape, f)
        return Tensor(shape: shape, scalars: values, inputs: [a, b]) { g in
            [a.requiresGrad ? gradA(g, a, b).sum(toShape: a.shape) : nil,
             b.requiresGrad ? gradB(g, a, b).sum(toShape: b.shape) : nil]
        }
    }

    /// Elementwise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, name: "+", +, gradA: { g, _, _ in g }, gradB: { g, _, _ in g })
    }

    /// Elementwise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, name: "-", -, gradA: { g, _, _ in g }, gradB: { g, _, _ in -g })
    }

    /// Elementwise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, name: "*", *, gradA: { g, _, b in g * b }, gradB: { g, a, _ in g * a })
    }

    /// Elementwise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, name: "/", /, gradA: { g, _, b in g / b },
               gradB: { g, a, b in -(g * a / (b * b)) })
    }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor {
        Tensor(shape: a.shape, scalars: Kernels.map(a.scalars) { -$0 }, inputs: [a]) { g in [-g] }
    }

    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor.scalar(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor.scalar(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor.scalar(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor.scalar(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor.scalar(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor.scalar(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor.scalar(b) }

    /// A rank-0 tensor.
    public static func scalar(_ value: Float) -> Tensor { Tensor(shape: [], scalars: [value]) }
}
