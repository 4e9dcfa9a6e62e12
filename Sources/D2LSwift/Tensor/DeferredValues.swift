/// Values a tensor computes only when they are read, so that the operation that uses them can
/// fold them into its own pass over memory instead.
///
/// The chapter's step `tanh(matmul(X, W_xh) + b_h + matmul(H, W_hh))` would otherwise write and
/// read back four 128 KiB intermediates per time step; at the chapter's sizes an epoch is bound
/// by that memory traffic, not by arithmetic. Deferred, the lookup and both sums are added up
/// row by row inside the `tanh` loop. Anything else that reads the values (printing, a matrix
/// product, a mutation) computes them first, so deferral never changes a result.
enum DeferredValues {
    /// Whether operations defer sums (tests turn it off to compare with eager results).
    nonisolated(unsafe) static var sumsAreDeferred = true

    /// One-hot rows: row `r` is 1 at `indices[r]` and 0 elsewhere.
    case oneHot(indices: [Int32], classes: Int)
    /// A sum of row-aligned terms.
    case sum(DeferredSum)

    /// The values, row-major.
    func evaluate(count: Int) -> [Float] {
        switch self {
        case let .oneHot(indices, classes):
            var values = [Float](repeating: 0, count: count)
            for (row, index) in indices.enumerated() { values[row * classes + Int(index)] = 1 }
            return values
        case let .sum(sum):
            return sum.evaluate()
        }
    }
}

/// `rows` rows of `width` values, each the sum of its terms' rows, added left to right (the
/// order of the `+` operations that built it, so the result equals adding eagerly).
struct DeferredSum {
    enum Term {
        /// Row `r` is `values[offset + r * rowStride ..< + width]`: a matrix (`rowStride` =
        /// `width`), one step of a stacked tensor (a larger stride) or a bias (stride 0).
        case rows(values: [Float], offset: Int, rowStride: Int)
        /// Row `r` is row `indices[r]` of `table` (an embedding lookup).
        case gathered(indices: [Int32], table: [Float])
    }

    /// More terms than this are added eagerly: each term is one more stream read per row.
    static let maximumTerms = 4

    let rows: Int
    let width: Int
    var terms: [Term]

    /// The sum, computed by rows split across threads.
    func evaluate() -> [Float] {
        let count = rows * width
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = buffer.baseAddress!
            withReader { reader in
                Parallelism.forEachPart(rows, minimumPerThread: max(1, 4096 / max(width, 1))) { part in
                    for r in part { reader.write(r, into: out + r * width) }
                }
            }
            initialized = count
        }
    }

    /// Calls `body` with a reader whose pointers stay valid until `body` returns.
    func withReader<R>(_ body: (DeferredSumReader) -> R) -> R {
        var pinned: [DeferredSumReader.Term] = []
        pinned.reserveCapacity(terms.count)
        return pin(from: 0, &pinned, body)
    }

    private func pin<R>(from index: Int, _ pinned: inout [DeferredSumReader.Term],
                        _ body: (DeferredSumReader) -> R) -> R {
        guard index < terms.count else { return body(DeferredSumReader(terms: pinned, width: width)) }
        switch terms[index] {
        case let .rows(values, offset, rowStride):
            return values.withUnsafeBufferPointer { v in
                pinned.append(.init(base: v.baseAddress! + offset, rowStride: rowStride, indices: nil))
                return pin(from: index + 1, &pinned, body)
            }
        case let .gathered(indices, table):
            return table.withUnsafeBufferPointer { t in
                indices.withUnsafeBufferPointer { i in
                    pinned.append(.init(base: t.baseAddress!, rowStride: width, indices: i.baseAddress!))
                    return pin(from: index + 1, &pinned, body)
                }
            }
        }
    }
}

/// Reads rows of a ``DeferredSum`` whose storage is pinned.
///
/// The terms are held in four stored properties rather than an array: this runs once per row
/// (32 floats), where an array's bounds checks and reference counting would cost more than
/// the additions.
struct DeferredSumReader {
    struct Term {
        let base: UnsafePointer<Float>
        let rowStride: Int
        let indices: UnsafePointer<Int32>?

        @inline(__always)
        func row(_ r: Int) -> UnsafePointer<Float> {
            if let indices { return base + Int(indices[r]) * rowStride }
            return base + r * rowStride
        }
    }

    let width: Int
    private let count: Int
    private let t0: Term, t1: Term, t2: Term, t3: Term

    init(terms: [Term], width: Int) {
        precondition((1...DeferredSum.maximumTerms).contains(terms.count))
        self.width = width
        count = terms.count
        t0 = terms[0]
        t1 = terms.count > 1 ? terms[1] : terms[0]
        t2 = terms.count > 2 ? terms[2] : terms[0]
        t3 = terms.count > 3 ? terms[3] : terms[0]
    }

    /// Writes row `r` of the sum to `destination`.
    @inline(__always)
    func write(_ r: Int, into destination: UnsafeMutablePointer<Float>) {
        if count == 1 { return RowCopy.copy(t0.row(r), to: destination, count: width) }
        RowReductions.add(t0.row(r), t1.row(r), into: destination, count: width)
        if count > 2 { RowReductions.add(t2.row(r), into: destination, count: width) }
        if count > 3 { RowReductions.add(t3.row(r), into: destination, count: width) }
    }

    /// Row `r`: a pointer into the term's own storage when there is one term, else `scratch`
    /// (`width` floats) holding the sum.
    @inline(__always)
    func row(_ r: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if count == 1 { return t0.row(r) }
        write(r, into: scratch)
        return UnsafePointer(scratch)
    }
}

extension Tensor {
    /// The terms this tensor contributes to a deferred sum of rows of `width`: its own terms
    /// when it is such a sum (and `expand` allows), else its values as one term.
    func sumTerms(width: Int, expand: Bool) -> [DeferredSum.Term] {
        if expand, case let .sum(sum)? = deferred, sum.width == width { return sum.terms }
        return [.rows(values: scalars, offset: 0, rowStride: count == width ? 0 : width)]
    }

    /// `a + b` as a deferred sum, when `b` has `a`'s shape or is one row repeated (a bias) and
    /// the tensors are big enough for the memory traffic to matter; `nil` otherwise.
    static func deferredSum(_ a: Tensor, _ b: Tensor) -> DeferredSum? {
        guard DeferredValues.sumsAreDeferred, a.count >= 4096, let width = a.shape.last, width > 0 else { return nil }
        let bIsRow = b.count == width && b.shape.last == width
        guard b.shape == a.shape || bIsRow else { return nil }
        // Only the left operand's terms are expanded: (a1 + a2) + b is what eager addition
        // computes, a + (b1 + b2) would round differently.
        let terms = a.sumTerms(width: width, expand: true) + b.sumTerms(width: width, expand: false)
        guard terms.count <= DeferredSum.maximumTerms else { return nil }
        return DeferredSum(rows: a.count / width, width: width, terms: terms)
    }

    /// Calls `body` with a reader of this tensor's rows of `width` values, without computing
    /// deferred sums into memory.
    func withRows<R>(width: Int, _ body: (DeferredSumReader) -> R) -> R {
        if case let .sum(sum)? = deferred, sum.width == width { return sum.withReader(body) }
        let whole = DeferredSum(rows: count / width, width: width,
                                terms: [.rows(values: scalars, offset: 0, rowStride: width)])
        return whole.withReader(body)
    }

    /// Readers of rows of `width` of every tensor in `tensors`, valid while `body` runs.
    static func withRowReaders<R>(of tensors: ArraySlice<Tensor>, width: Int, readers: [DeferredSumReader] = [],
                                  _ body: ([DeferredSumReader]) -> R) -> R {
        guard let first = tensors.first else { return body(readers) }
        return first.withRows(width: width) { reader in
            withRowReaders(of: tensors.dropFirst(), width: width, readers: readers + [reader], body)
        }
    }
}
