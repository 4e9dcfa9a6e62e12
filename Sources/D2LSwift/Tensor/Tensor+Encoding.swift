extension Tensor {
    /// One-hot vectors of length `classes` for the integer indices held in this tensor: the
    /// result has one more axis, of size `classes`.
    public func oneHot(classes: Int) -> Tensor {
        let indices = scalars.map { value -> Int32 in
            let index = Int32(value)
            require(Float(index) == value && index >= 0 && Int(index) < classes,
                         "one-hot index \(value) is not an integer in 0..<\(classes)")
            return index
        }
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

/// One-hot vectors of the indices in `indices` (`F.one_hot`).
public func oneHot(_ indices: Tensor, _ classes: Int) -> Tensor { indices.oneHot(classes: classes) }
