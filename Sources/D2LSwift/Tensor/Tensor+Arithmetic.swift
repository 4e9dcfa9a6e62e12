extension Tensor {
    /// Applies a broadcasting binary operation `F`; `gradA` and `gradB` map the result's
    /// gradient to each operand's (before summing over broadcast axes).
    private static func binary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, _ function: F.Type, name: String,
                                                  gradA: @escaping (Tensor, Tensor, Tensor) -> Tensor,
                                                  gradB: @escaping (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            fatalError("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let values: [Float]
        if shape == a.shape && (a.shape == b.shape || Broadcasting.isTrailingBlock(b.shape, of: a.shape)) && b.count > 0 {
            values = Kernels.combine(a.scalars, b.scalars, blockFirst: false, F.self)
        } else if shape == b.shape && Broadcasting.isTrailingBlock(a.shape, of: b.shape) && a.count > 0 {
            values = Kernels.combine(b.scalars, a.scalars, blockFirst: true, F.self)
        } else {
            values = Broadcasting.combine(a.scalars, shape: a.shape, b.scalars, shape: b.shape, result: shape, F.apply)
        }
        return Tensor(shape: shape, scalars: values, inputs: [a, b]) { g in
            [a.requiresGrad ? gradA(g, a, b).sum(toShape: a.shape) : nil,
             b.requiresGrad ? gradB(g, a, b).sum(toShape: b.shape) : nil]
        }
    }

    /// Elementwise sum, broadcasting.
    ///
    /// A large sum with an operand of the same shape or a repeated row (a bias) is deferred:
    /// the next operation adds it up in its own loop (see ``DeferredValues``).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        if let sum = deferredSum(a, b) {
            return Tensor(shape: a.shape, deferred: .sum(sum), inputs: [a, b]) { g in
                [a.requiresGrad ? g : nil, b.requiresGrad ? g.sum(toShape: b.shape) : nil]
            }
        }
        return binary(a, b, AddFunction.self, name: "+", gradA: { g, _, _ in g }, gradB: { g, _, _ in g })
    }

    /// Elementwise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, SubtractFunction.self, name: "-", gradA: { g, _, _ in g }, gradB: { g, _, _ in -g })
    }

    /// Elementwise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, MultiplyFunction.self, name: "*", gradA: { g, _, b in g * b }, gradB: { g, a, _ in g * a })
    }

    /// Elementwise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, DivideFunction.self, name: "/", gradA: { g, _, b in g / b },
               gradB: { g, a, b in -(g * a / (b * b)) })
    }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor {
        a.pointwise(NegateFunction.self)
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
