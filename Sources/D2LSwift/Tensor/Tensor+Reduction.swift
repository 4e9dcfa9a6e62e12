extension Tensor {
    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        var total: Float = 0
        scalars.withUnsafeBufferPointer { s in for i in 0..<s.count { total += s[i] } }
        return Tensor(shape: [], scalars: [total], inputs: [self]) { [shape] g in
            [Tensor.full(shape, g.item)]
        }
    }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// Sums along `axis`, removing it.
    public func sum(axis: Int) -> Tensor {
        require(axis >= 0 && axis < rank, "axis \(axis) out of range for shape \(shape)")
        let outer = shape[..<axis].reduce(1, *), size = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var values = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for a in 0..<size {
                for j in 0..<inner { values[o * inner + j] += scalars[(o * size + a) * inner + j] }
            }
        }
        var newShape = shape
        newShape.remove(at: axis)
        return Tensor(shape: newShape, scalars: values, inputs: [self]) { [shape] g in
            var grad = [Float](repeating: 0, count: shape.reduce(1, *))
            for o in 0..<outer {
                for a in 0..<size {
                    for j in 0..<inner { grad[(o * size + a) * inner + j] = g.scalars[o * inner + j] }
                }
            }
            return [Tensor(shape: shape, scalars: grad)]
        }
    }

    /// The index of the largest element along `axis` (the first one on ties), axis removed.
    public func argmax(axis: Int) -> Tensor {
        require(axis >= 0 && axis < rank, "axis \(axis) out of range for shape \(shape)")
        let outer = shape[..<axis].reduce(1, *), size = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var values = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for j in 0..<inner {
                var best = 0
                for a in 1..<Swift.max(size, 1) where scalars[(o * size + a) * inner + j] > scalars[(o * size + best) * inner + j] {
                    best = a
                }
                values[o * inner + j] = Float(best)
            }
        }
        var newShape = shape
        newShape.remove(at: axis)
        return Tensor(shape: newShape, scalars: values)
    }
}
