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
    /// `0..<classes`.
    static func classIndices(_ values: [Float], classes: Int, what: String) -> [Int32] {
        guard let indices = exactClassIndices(values, classes: classes) else {
            let bad = values.first { !isClassIndex($0, classes: classes) } ?? .nan
            fatalError("\(what) \(bad) is not an integer in 0..<\(classes)")
        }
        return indices
    }

    /// Whether `value` is an integer in `0..<classes` (NaN is not), checked one value at a time.
    private static func isClassIndex(_ value: Float, classes: Int) -> Bool {
        value >= 0 && value < Float(classes) && value == value.rounded()
    }

    /// `values` as class indices, or `nil` unless each is an integer in `0..<classes`.
    ///
    /// The chapter converts 32,768 per batch: the loop has no branch, no rounding call and no
    /// checked conversion, so it vectorises.
    static func exactClassIndices(_ values: [Float], classes: Int) -> [Int32]? {
        // Adding 1.5 * 2^23 to a float in 0...2^22 leaves its nearest integer in the low bits
        // of the sum's bit pattern (as FastMath.exp does); converting that back and comparing
        // with the value catches fractions, NaN (which clamps to 0) and values out of range.
        guard classes <= 1 << 22 else {
            guard values.allSatisfy({ isClassIndex($0, classes: classes) }) else { return nil }
            return values.map { Int32($0) }
        }
        let highest = Float(Swift.max(classes - 1, 0)), shifter: Float = 12_582_912
        var invalid: Int32 = classes > 0 || values.isEmpty ? 0 : 1
        let indices = [Int32](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            values.withUnsafeBufferPointer { input in
                for i in 0..<input.count {
                    let value = input[i]
                    let clamped = value > 0 ? (value < highest ? value : highest) : 0
                    let index = Int32(bitPattern: (clamped + shifter).bitPattern &- shifter.bitPattern)
                    invalid |= Float(index) == value ? 0 : 1
                    buffer[i] = index
                }
            }
            initialized = values.count
        }
        return invalid == 0 ? indices : nil
    }
}

/// One-hot vectors of the indices in `indices` (`F.one_hot`).
public func oneHot(_ indices: Tensor, _ classes: Int) -> Tensor { indices.oneHot(classes: classes) }
