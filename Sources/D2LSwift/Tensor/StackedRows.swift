/// Matrices stacked along a new second-to-last axis, kept as their parts until read: row `o`
/// of part `k` is row `o * parts.count + k` of the stacked values.
///
/// The chapter's output layer stacks one `(batch, vocabulary)` matrix per time step into
/// `(batch, steps, vocabulary)` logits, which the loss reads once. Kept apart, the parts
/// (deferred products plus a bias) are computed by the loss block by block where it uses them,
/// and the loss's gradient comes back as one contiguous matrix per step: the 1.8 MB of
/// interleaved logits per half batch are never written, and no step's gradient is read as
/// rows 3.5 KB apart.
struct StackedRows {
    /// The parts, each `rows` rows of `width`.
    let parts: [DeferredSum]
    let rows: Int
    let width: Int

    init(parts: [DeferredSum]) {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.rows == parts[0].rows && $0.width == parts[0].width })
        self.parts = parts
        rows = parts[0].rows
        width = parts[0].width
    }

    /// Parts that are matrices of their own (a loss's gradient per step), `rows` x `width` each.
    init(matrices: [[Float]], rows: Int, width: Int) {
        self.init(parts: matrices.map {
            DeferredSum(rows: rows, width: width, terms: [.rows(values: $0, offset: 0, rowStride: width)])
        })
    }

    /// Part `k` as a matrix: its own values when it is one, else its deferred sum.
    func part(_ k: Int, shape: [Int]) -> Tensor {
        let sum = parts[k]
        if sum.terms.count == 1, case let .rows(values, 0, rowStride) = sum.terms[0], rowStride == width,
           values.count == rows * width {
            return Tensor(shape: shape, scalars: values)
        }
        return Tensor(shape: shape, deferred: .sum(sum))
    }

    /// The stacked values, row-major. A few rows of every part in turn: written part by part,
    /// each part's rows would be `parts.count` rows apart (4 KiB for the chapter's outputs),
    /// each store a miss.
    func evaluate() -> [Float] {
        let n = parts.count, rowLength = n * width
        return [Float](unsafeUninitializedCapacity: rows * rowLength) { buffer, initialized in
            let destination = buffer.baseAddress!
            withReaders { readers in
                Parallelism.forEachPart(rows, minimumPerThread: Swift.max(1, 4096 / Swift.max(rowLength, 1))) { part in
                    // Blocks of 16 rows, so that a product term is computed by register tiles.
                    // A part may store past its row: the next part overwrites that.
                    for start in stride(from: part.lowerBound, to: part.upperBound, by: 16) {
                        let block = start..<Swift.min(start + 16, part.upperBound)
                        for k in 0..<n {
                            readers[k].write(block, into: destination + start * rowLength + k * width,
                                             rowStride: rowLength, excessIsOverwritten: k + 1 < n)
                        }
                    }
                }
            }
            initialized = rows * rowLength
        }
    }

    /// Calls `body` with a reader of every part, valid while it runs.
    func withReaders<R>(_ body: ([DeferredSumReader]) -> R) -> R { DeferredSum.withReaders(of: parts, body) }
}
