extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: 1, count: shape.reduce(1, *)))
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Standard normal values from the shared seeded generator.
    public static func randn(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in Random.generator.nextNormal() })
    }

    /// Uniform values in [low, high) from the shared seeded generator.
    public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape,
                      scalars: (0..<n).map { _ in low + (high - low) * Random.generator.nextUniform() })
    }

    /// The integers `0..<n` as floats.
    public static func arange(_ n: Int) -> Tensor {
        Tensor(shape: [n], scalars: (0..<n).map(Float.init))
    }
}
