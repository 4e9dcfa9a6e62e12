extension Tensor {
    /// The same elements with another shape; one axis may be -1 and is then inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            require(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[unknown] = count / known
        }
        require(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        let backward = { [shape] (g: Tensor) -> [Tensor?] in
            // A deferred gradient (a loss's, one matrix per stacked part) stays deferred.
            if let deferred = g.deferred, g.shape.last == shape.last { return [Tensor(shape: shape, deferred: deferred)] }
            return [Tensor(shape: shape, scalars: g.scalars)]
        }
        // Deferred values are laid out by rows of the last axis: they survive a reshape that
        // keeps it.
        guard let deferred, resolved.last == shape.last else {
            let result = Tensor(shape: resolved, scalars: scalars, inputs: [self], backward: backward)
            if resolved.last == shape.last { result.oneHotIndices = oneHotIndices }
            return result
        }
        let result = Tensor(shape: resolved, deferred: deferred, inputs: [self], backward: backward)
        result.oneHotIndices = oneHotIndices
        return result
    }

    /// The tensor with its axes reordered: axis `i` of the result is axis `permutation[i]` here.
    public func permuted(_ permutation: [Int]) -> Tensor {
        require(permutation.sorted() == Array(0..<rank), "bad permutation \(permutation) for rank \(rank)")
        let newShape = permutation.map { shape[$0] }
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            scalars.withUnsafeBufferPointer { s in
                if permutation == [1, 0] {
                    // A matrix transpose (the chapter's `X.T`, every batch): no index table.
                    // By bands of 16 rows, whose lines stay in L1 while each column of the
                    // band is read (a whole column at a time read each line once per float),
                    // with pointer steps (indexing with checked products cost more than the
                    // loads).
                    let (rows, columns) = (shape[0], shape[1])
                    for top in stride(from: 0, to: rows, by: 16) {
                        let band = Swift.min(16, rows - top)
                        for j in 0..<columns {
                            var source = s.baseAddress! + top * columns + j
                            let destination = out.baseAddress! + j * rows + top
                            for i in 0..<band {
                                destination[i] = source.pointee
                                source += columns
                            }
                        }
                    }
                } else {
                    let indices = permutationSourceIndices(permutation)
                    for i in 0..<indices.count { out[i] = s[indices[i]] }
                }
            }
            initialized = count
        }
        let inverse = permutation.indices.map { permutation.firstIndex(of: $0)! }
        return Tensor(shape: newShape, scalars: values, inputs: [self]) { g in [g.permuted(inverse)] }
    }

    /// The transpose of a matrix, or the axes reversed for other ranks (as NumPy's `.T`).
    public var T: Tensor { permuted(Array((0..<rank).reversed())) }

    private func permutationSourceIndices(_ permutation: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return StridedOffsets.offsets(shape: permutation.map { shape[$0] }, strides: permutation.map { strides[$0] })
    }

    /// The sub-tensors along the first axis from `range`.
    public subscript(range: Range<Int>) -> Tensor {
        require(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "slice \(range) out of bounds for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        let newShape = [range.count] + shape.dropFirst()
        let backward = { [shape] (g: Tensor) -> [Tensor?] in
            // Zeros outside the slice stay implicit: the input's gradient from all its slices
            // (a learned embedding of every step, unstacked) is then built in one pass, not by
            // adding one whole zero-padded tensor per step.
            [Tensor(shape: shape, deferred: .placed(values: g.scalars, offset: range.lowerBound * inner))]
        }
        if let oneHotIndices, rank >= 2 {
            // A slice of one-hot rows is one-hot rows: slice the indices, not the zeros.
            let classes = shape[rank - 1], rows = inner / classes
            let indices = Array(oneHotIndices[(range.lowerBound * rows)..<(range.upperBound * rows)])
            let result = Tensor(shape: newShape, deferred: .oneHot(indices: indices, classes: classes),
                                inputs: [self], backward: backward)
            result.oneHotIndices = indices
            return result
        }
        let values = Array(scalars[(range.lowerBound * inner)..<(range.upperBound * inner)])
        return Tensor(shape: newShape, scalars: values, inputs: [self], backward: backward)
    }

    /// The sub-tensor at `index` along the first axis (one rank lower).
    public subscript(index: Int) -> Tensor {
        require(rank >= 1 && index >= 0 && index < shape[0], "index \(index) out of bounds for shape \(shape)")
        return self[index..<(index + 1)].reshaped(Array(shape.dropFirst()))
    }

    /// The sub-tensors along the first axis, as `for x in tensor` reads them in NumPy.
    public func unstacked() -> [Tensor] { (0..<shape[0]).map { self[$0] } }

    /// Joins tensors of one shape along a new axis at position `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "stack needs at least one tensor")
        let part = tensors[0].shape
        require(tensors.allSatisfy { $0.shape == part }, "stack needs equal shapes, got \(tensors.map(\.shape))")
        require(axis >= 0 && axis <= part.count, "stack axis \(axis) out of range")
        let outer = part[..<axis].reduce(1, *)
        let inner = part[axis...].reduce(1, *)
        let n = tensors.count
        // Parts are copied by rows of their last axis, so that deferred sums (an output layer's
        // `matmul(H, W) + b`) are added up straight into the result.
        // (Stacked along the last axis, `inner` is 1: parts are copied element by element.)
        let last = Swift.max(part.last ?? 1, 1)
        let width = inner % last == 0 ? last : 1, rowsPerBlock = inner / width
        var values: [Float] = []
        var stacked: StackedRows?
        if rowsPerBlock == 1 && inner > 0 {
            // Matrices stacked along axis 1 (the chapter's outputs): kept as their parts until
            // read, when big enough for their memory traffic to matter.
            let rows = StackedRows(parts: tensors.map { $0.deferredRows(width: width) })
            if DeferredValues.sumsAreDeferred && width == inner && outer * n * inner >= 4096 {
                stacked = rows
            } else {
                values = rows.evaluate()
            }
        } else {
            values = Tensor.uninitialized(outer * n * inner)
            if inner > 0 {
                values.withUnsafeMutableBufferPointer { out in
                    let destination = out.baseAddress!
                    DeferredSum.withReaders(of: tensors.map { $0.deferredRows(width: width) }) { readers in
                        Parallelism.forEachPart(outer * rowsPerBlock, minimumPerThread: Swift.max(1, 4096 / (width * n))) { rows in
                            for r in rows {
                                let (o, j) = r.quotientAndRemainder(dividingBy: rowsPerBlock)
                                for k in 0..<n { readers[k].write(r, into: destination + (o * n + k) * inner + j * width) }
                            }
                        }
                    }
                }
            }
        }
        var shape = part
        shape.insert(n, at: axis)
        let backward = { (g: Tensor) -> [Tensor?] in
            // A gradient kept as one matrix per part (the loss's, for stacked logits): the parts.
            if case let .stacked(parts)? = g.deferred, parts.parts.count == n, parts.rows == outer, parts.width == inner {
                return (0..<n).map { parts.part($0, shape: part) }
            }
            let gradient = g.scalars
            return (0..<n).map { k in
                // Stacked along the second-to-last axis (the chapter's outputs), each part's
                // gradient is every n-th row of g: read in place, not copied.
                if inner == width && inner > 0 && DeferredValues.sumsAreDeferred {
                    let rows = DeferredSum(rows: outer, width: width,
                                           terms: [.rows(values: gradient, offset: k * inner, rowStride: n * inner)])
                    return Tensor(shape: part, deferred: .sum(rows))
                }
                var piece = Tensor.uninitialized(outer * inner)
                gradient.withUnsafeBufferPointer { gs in
                    piece.withUnsafeMutableBufferPointer { out in
                        for o in 0..<outer {
                            RowCopy.copy(gs.baseAddress! + (o * n + k) * inner, to: out.baseAddress! + o * inner, count: inner)
                        }
                    }
                }
                return Tensor(shape: part, scalars: piece)
            }
        }
        if let stacked {
            return Tensor(shape: shape, deferred: .stacked(stacked), inputs: tensors, backward: backward)
        }
        return Tensor(shape: shape, scalars: values, inputs: tensors, backward: backward)
    }

    /// Joins tensors along an existing axis `axis` (all other axes equal).
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenate needs at least one tensor")
        let parts = tensors.map { $0.permutedToFront(axis) }
        let values = parts.flatMap(\.scalars)
        var shape = parts[0].shape
        shape[0] = parts.map { $0.shape[0] }.reduce(0, +)
        let joined = Tensor(shape: shape, scalars: values, inputs: parts) { g in
            var start = 0
            return parts.map { part in
                defer { start += part.shape[0] }
                return g[start..<(start + part.shape[0])]
            }
        }
        return joined.permutedFromFront(axis)
    }

    private func permutedToFront(_ axis: Int) -> Tensor {
        axis == 0 ? self : permuted([axis] + (0..<rank).filter { $0 != axis })
    }

    private func permutedFromFront(_ axis: Int) -> Tensor {
        guard axis != 0 else { return self }
        var permutation = Array(1..<rank)
        permutation.insert(0, at: axis)
        return permuted(permutation)
    }
}

/// Joins tensors along a new axis (`d2l.stack`).
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor { Tensor.stack(tensors, axis: axis) }
