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
    /// Zeros except `values` from element `offset` on: the gradient of a slice (one time step
    /// of a stacked input), added into the whole input's gradient where it is not zero.
    case placed(values: [Float], offset: Int)
    /// Matrices stacked along a new second-to-last axis (see ``StackedRows``).
    case stacked(StackedRows)

    /// The values, row-major.
    func evaluate(count: Int) -> [Float] {
        switch self {
        case let .oneHot(indices, classes):
            var values = [Float](repeating: 0, count: count)
            for (row, index) in indices.enumerated() { values[row * classes + Int(index)] = 1 }
            return values
        case let .sum(sum):
            return sum.evaluate()
        case let .placed(values, offset):
            var all = [Float](repeating: 0, count: count)
            all.replaceSubrange(offset..<(offset + values.count), with: values)
            return all
        case let .stacked(stacked):
            return stacked.evaluate()
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
        /// Row `r` is row `r` of `a` (rows × `depth`) times `b` (`depth` × width, held padded
        /// to 32 columns, as ``Tensor/narrowFactor(transposed:)`` keeps it): a narrow matrix product
        /// computed by blocks of rows where it is read.
        case product(a: [Float], paddedB: [Float], depth: Int)
    }

    /// More terms than this are added eagerly: each term is one more stream read per row.
    static let maximumTerms = 4

    let rows: Int
    let width: Int
    var terms: [Term]

    /// Rows per block when terms are added block by block: 32 rows of 32 floats stay in L1.
    var blockRows: Int { max(1, 1024 / max(width, 1)) }

    /// The sum, computed by blocks of rows split across threads.
    func evaluate() -> [Float] {
        let count = rows * width
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = buffer.baseAddress!
            withReader { reader in
                Parallelism.forEachPart(rows, minimumPerThread: max(1, 4096 / max(width, 1))) { part in
                    for start in stride(from: part.lowerBound, to: part.upperBound, by: blockRows) {
                        let block = start..<min(start + blockRows, part.upperBound)
                        reader.write(block, into: out + start * width, rowStride: width)
                    }
                }
            }
            initialized = count
        }
    }

    /// Calls `body` with a reader of each of `sums`, valid while it runs.
    static func withReaders<R>(of sums: [DeferredSum], _ body: ([DeferredSumReader]) -> R) -> R {
        func pin(from index: Int, _ readers: [DeferredSumReader]) -> R {
            guard index < sums.count else { return body(readers) }
            return sums[index].withReader { pin(from: index + 1, readers + [$0]) }
        }
        return pin(from: 0, [])
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
        case let .product(a, b, depth):
            return a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    pinned.append(.init(base: x.baseAddress!, rowStride: depth, indices: nil, factor: y.baseAddress!))
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
        /// For a product term, its right factor (`rowStride` rows of 32, padded); `base` is then
        /// the left factor's rows.
        var factor: UnsafePointer<Float>? = nil

        @inline(__always)
        func row(_ r: Int) -> UnsafePointer<Float> {
            if let indices { return base + Int(indices[r]) * rowStride }
            return base + r * rowStride
        }
    }

    let width: Int
    private let count: Int
    private let t0: Term, t1: Term, t2: Term, t3: Term
    /// Whether a term is a matrix product, computed by blocks of rows.
    private let hasProduct: Bool

    init(terms: [Term], width: Int) {
        precondition((1...DeferredSum.maximumTerms).contains(terms.count))
        self.width = width
        count = terms.count
        hasProduct = terms.contains { $0.factor != nil }
        t0 = terms[0]
        t1 = terms.count > 1 ? terms[1] : terms[0]
        t2 = terms.count > 2 ? terms[2] : terms[0]
        t3 = terms.count > 3 ? terms[3] : terms[0]
    }

    /// Writes row `r` of the sum to `destination`.
    @inline(__always)
    func write(_ r: Int, into destination: UnsafeMutablePointer<Float>) {
        if hasProduct { return write(r..<(r + 1), into: destination, rowStride: width) }
        if count == 1 { return RowCopy.copy(t0.row(r), to: destination, count: width) }
        RowReductions.add(t0.row(r), t1.row(r), into: destination, count: width)
        if count > 2 { RowReductions.add(t2.row(r), into: destination, count: width) }
        if count > 3 { RowReductions.add(t3.row(r), into: destination, count: width) }
    }

    /// Writes rows `rows` of the sum, `rowStride` apart, from `destination` on. A product term
    /// is computed for the whole block; the terms are added in order, as row by row.
    /// `excessIsOverwritten`: see ``NarrowProduct/multiply(_:lda:_:ldb:transposeB:into:ldc:m:n:k:adding:excessIsOverwritten:)``.
    @inline(__always)
    func write(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Float>, rowStride: Int,
               excessIsOverwritten: Bool = false) {
        guard hasProduct else {
            for r in rows { write(r, into: destination + (r - rows.lowerBound) * rowStride) }
            return
        }
        if count == 2, let factor = t0.factor, t1.factor == nil, t1.indices == nil, t1.rowStride == 0 {
            // A product plus a bias (an output layer): the bias is added as rows are stored.
            NarrowProduct.multiply(t0.base + rows.lowerBound * t0.rowStride, lda: t0.rowStride, padded: factor,
                                   into: destination, ldc: rowStride, m: rows.count, n: width, k: t0.rowStride,
                                   excessIsOverwritten: excessIsOverwritten, bias: t1.base)
            return
        }
        for index in 0..<count {
            let term = index == 0 ? t0 : index == 1 ? t1 : index == 2 ? t2 : t3
            if let factor = term.factor {
                NarrowProduct.multiply(term.base + rows.lowerBound * term.rowStride, lda: term.rowStride,
                                       padded: factor, into: destination, ldc: rowStride,
                                       m: rows.count, n: width, k: term.rowStride, adding: index > 0,
                                       excessIsOverwritten: excessIsOverwritten && index == 0)
                continue
            }
            for r in rows {
                let out = destination + (r - rows.lowerBound) * rowStride
                if index == 0 {
                    RowCopy.copy(term.row(r), to: out, count: width)
                } else {
                    RowReductions.add(term.row(r), into: out, count: width)
                }
            }
        }
    }

    /// The one term whose rows are read in place, when there is nothing to add.
    var rowsInPlace: Term? { count == 1 && !hasProduct ? t0 : nil }

    /// Row `r`: a pointer into the term's own storage when there is one term, else `scratch`
    /// (`width` floats) holding the sum.
    @inline(__always)
    func row(_ r: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if count == 1 && !hasProduct { return t0.row(r) }
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
        // A right operand of one term (a deferred product) is that term: adding it is the same.
        let expandB: Bool
        if case let .sum(sum)? = b.deferred { expandB = sum.terms.count == 1 } else { expandB = false }
        let terms = a.sumTerms(width: width, expand: true) + b.sumTerms(width: width, expand: expandB)
        guard terms.count <= DeferredSum.maximumTerms else { return nil }
        return DeferredSum(rows: a.count / width, width: width, terms: terms)
    }

    /// This tensor as rows of `width` values: its own deferred sum when it is one of that
    /// width, else its values as one term.
    func deferredRows(width: Int) -> DeferredSum {
        DeferredSum(rows: count / width, width: width, terms: sumTerms(width: width, expand: true))
    }

    /// Calls `body` with a reader of this tensor's rows of `width` values, without computing
    /// deferred sums into memory.
    func withRows<R>(width: Int, _ body: (DeferredSumReader) -> R) -> R {
        deferredRows(width: width).withReader(body)
    }
}
