/// NumPy broadcasting: shapes are aligned on their last axis, and an axis of size 1 (or a
/// missing one) stretches to match the other.
enum Broadcasting {
    /// The shape of `a op b`, or `nil` when the shapes do not broadcast.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var result: [Int] = []
        for (x, y) in Swift.zip(pa, pb) {
            if x == y || y == 1 { result.append(x) } else if x == 1 { result.append(y) } else { return nil }
        }
        return result
    }

    /// For each element of a tensor of shape `target`, the index of the element of a tensor of
    /// shape `source` that broadcasts to it.
    static func sourceIndices(from source: [Int], to target: [Int]) -> [Int] {
        let rank = target.count
        let padded = [Int](repeating: 1, count: rank - source.count) + source
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = padded[axis] == 1 ? 0 : step
            step *= padded[axis]
        }
        return StridedOffsets.offsets(shape: target, strides: strides)
    }

    /// Whether `small` equals the trailing axes of `big` (ignoring leading ones of `small`), so
    /// that broadcasting repeats it as a block.
    static func isTrailingBlock(_ small: [Int], of big: [Int]) -> Bool {
        let trimmed = Array(small.drop { $0 == 1 })
        return trimmed.count <= big.count && Array(big.suffix(trimmed.count)) == trimmed
    }

    /// Applies `f` over two arrays of shapes `a` and `b`, broadcast to `result`, for the
    /// general case (the common ones, equal shapes and a repeated trailing block, have
    /// specialised kernels in `Kernels.combine`).
    static func combine(_ x: [Float], shape a: [Int], _ y: [Float], shape b: [Int],
                        result: [Int], _ f: (Float, Float) -> Float) -> [Float] {
        let ia = sourceIndices(from: a, to: result)
        let ib = sourceIndices(from: b, to: result)
        return (0..<ia.count).map { f(x[ia[$0]], y[ib[$0]]) }
    }
}

extension Tensor {
    /// Sums this tensor down to `target`, the shape of an operand it was broadcast from: the
    /// gradient of a broadcast operand is the sum over the axes it was stretched along.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        let block = target.reduce(1, *)
        guard Broadcasting.isTrailingBlock(target, of: shape) && block > 0 else {
            let indices = Broadcasting.sourceIndices(from: target, to: shape)
            var sums = [Float](repeating: 0, count: block)
            for (i, value) in scalars.enumerated() { sums[indices[i]] += value }
            return Tensor(shape: target, scalars: sums)
        }
        // Each thread sums its half of the repeats into its own row; the two rows are then
        // added in a fixed order, so the result does not depend on timing. (A bias's gradient,
        // twice per time step: built in one buffer, without a tensor's accessors per element.)
        let repeats = count / block
        // Two partial rows, then a scratch row per thread for deferred sums' rows.
        var partials = [Float](repeating: 0, count: 4 * block)
        withRows(width: block) { reader in
            partials.withUnsafeMutableBufferPointer { p in
                let sums = p.baseAddress!
                Parallelism.forEachPart(repeats, minimumPerThread: max(1, 4096 / block)) { rows in
                    let half = rows.lowerBound == 0 ? 0 : 1
                    let sum = sums + half * block, scratch = sums + (2 + half) * block
                    // Rows read in place get a loop without a call in it, which would make the
                    // sums live in memory.
                    if let term = reader.rowsInPlace {
                        RowReductions.addRows(rows, width: block, into: sum) { term.row($0) }
                    } else {
                        RowReductions.addRows(rows, width: block, into: sum) { reader.row($0, scratch: scratch) }
                    }
                }
                for j in 0..<block { sums[j] += sums[block + j] }
            }
        }
        partials.removeLast(3 * block)
        return Tensor(shape: target, scalars: partials)
    }
}
