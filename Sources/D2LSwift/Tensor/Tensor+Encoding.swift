extension Tensor {
    /// One-hot vectors of length `classes` for the integer indices held in this tensor: the
    /// result has one more axis, of size `classes`.
    public func oneHot(classes: Int) -> Tensor {
        let indices = Tensor.classIndices(scalars, classes: classes, what: "one-hot index")
        // Products with it are row lookups (`matmul`): its zeros and ones are only written out
        // if something reads them.
        let result = Tensor(shape: shape + [classes], deferred: .oneHot(indices: indices, classes: classes))
        result.oneHotIndices = indices
        return result
    }

    /// Rows of `table` (a `[vocabulary, features]` matrix) picked by the integer indices held in
    /// this tensor: a learned embedding. The result has shape `shape + [features]`.
    public func embedding(in table: Tensor) -> Tensor {
        require(table.rank == 2, "embedding table must be a matrix, got \(table.shape)")
        let indices = scalars.map { value -> Int32 in
            require(value >= 0 && Int(value) < table.shape[0], "embedding index \(value) out of range")
            return Int32(value)
        }
        return Tensor.rowLookup(indices, in: table, count: count).reshaped(shape + [table.shape[1]])
    }
}

extension Tensor {
    /// `values` as class indices, stopping with a clear message unless each is an integer in
    /// `0..<classes`. One pass without rounding calls: the chapter converts 32,768 per batch.
    static func classIndices(_ values: [Float], classes: Int, what: String) -> [Int32] {
        let limit = Float(classes)
        var allValid = true
        let indices = [Int32](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            for (i, value) in values.enumerated() {
                // NaN fails both comparisons; a fraction changes when converted back.
                let inRange = value >= 0 && value < limit
                let index = inRange ? Int32(value) : 0
                allValid = allValid && inRange && Float(index) == value
                buffer[i] = index
            }
            initialized = values.count
        }
        if !allValid, let bad = values.first(where: { !($0 >= 0 && $0 < limit && $0 == $0.rounded()) }) {
            require(false, "\(what) \(bad) is not an integer in 0..<\(classes)")
        }
        return indices
    }
}

/// One-hot vectors of the indices in `indices` (`F.one_hot`).
public func oneHot(_ indices: Tensor, _ classes: Int) -> Tensor { indices.oneHot(classes: classes) }
