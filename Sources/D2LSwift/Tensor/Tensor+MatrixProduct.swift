extension Tensor {
    /// The matrix product of two 2-D tensors.
    ///
    /// When `self` is a one-hot encoding the product is a row lookup into `other` and its
    /// gradient a scatter-add: the same numbers as the dense product, without the multiplications
    /// by zero.
    public func matmul(_ other: Tensor) -> Tensor {
        require(rank == 2 && other.rank == 2, "matmul needs matrices, got \(shape) and \(other.shape)")
        require(shape[1] == other.shape[0], "matmul: inner sizes differ in \(shape) x \(other.shape)")
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        if let rows = oneHotIndices, !requiresGrad {
            return Tensor.rowLookup(rows, in: other, count: m)
        }
        let backward = { [self] (g: Tensor) -> [Tensor?] in
            [self.requiresGrad ? Tensor.product(g, false, other, true, m: m, n: k, k: n) : nil,
             other.requiresGrad ? Tensor.product(self, true, g, false, m: k, n: n, k: m) : nil]
        }
        if DeferredValues.sumsAreDeferred && NarrowProduct.isEnabled && m * n >= 4096 && NarrowProduct.takes(n: n, k: k) {
            // Computed by whatever reads it, block by block (adding a bias, a tanh, stacking):
            // the product is never written to memory of its own.
            let product = DeferredSum(rows: m, width: n, terms: [
                .product(a: scalars, paddedB: other.narrowFactor(transposed: false), depth: k)])
            return Tensor(shape: [m, n], deferred: .sum(product), inputs: [self, other], backward: backward)
        }
        var values = Tensor.uninitialized(m * n)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                values.withUnsafeMutableBufferPointer { c in
                    Kernels.gemm(a.baseAddress!, transposeA: false, b.baseAddress!, transposeB: false,
                                 into: c.baseAddress!, m: m, n: n, k: k)
                }
            }
        }
        return Tensor(shape: [m, n], scalars: values, inputs: [self, other], backward: backward)
    }

    /// `op(a) * op(b)` without recording a graph (gradients are computed this way).
    static func product(_ a: Tensor, _ transposeA: Bool, _ b: Tensor, _ transposeB: Bool,
                        m: Int, n: Int, k: Int) -> Tensor {
        // A weight (G W^T) is read in the narrow kernels' layout it keeps between steps.
        let factor = !transposeA && NarrowProduct.isEnabled && NarrowProduct.takes(n: n, k: k)
            ? b.narrowFactor(transposed: transposeB) : nil
        if let factor, DeferredValues.sumsAreDeferred && m * n >= 4096 {
            // A state's gradient, G_q W_hq^T from the output layer plus G W_hh^T from the next
            // step: both products are computed block by block inside the loop that reads their
            // sum (tanh's backward), instead of each writing and reading back a matrix.
            return Tensor(shape: [m, n], deferred: .sum(DeferredSum(rows: m, width: n, terms: [
                .product(a: a.scalars, paddedB: factor, depth: k)])))
        }
        var values = Tensor.uninitialized(m * n)
        a.withMatrix { x, lda in
            b.withMatrix { y, ldb in
                values.withUnsafeMutableBufferPointer { c in
                    func multiply(paddedB: UnsafePointer<Float>?) {
                        Kernels.gemm(x, transposeA: transposeA, y, transposeB: transposeB,
                                     into: c.baseAddress!, m: m, n: n, k: k, lda: lda, ldb: ldb, paddedB: paddedB)
                    }
                    if let factor {
                        factor.withUnsafeBufferPointer { multiply(paddedB: $0.baseAddress!) }
                    } else {
                        multiply(paddedB: nil)
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: values)
    }

    /// Calls `body` with this matrix's first element and row stride: a deferred single term
    /// that is every few rows of a bigger tensor (a gradient of stacked outputs) is read in
    /// place, as BLAS takes a row stride.
    private func withMatrix<R>(_ body: (UnsafePointer<Float>, Int) -> R) -> R {
        let width = shape.last ?? 1
        if case let .sum(sum)? = deferred, sum.width == width, sum.terms.count == 1,
           case let .rows(values, offset, rowStride) = sum.terms[0], rowStride >= width, width > 0 {
            return values.withUnsafeBufferPointer { body($0.baseAddress! + offset, rowStride) }
        }
        return scalars.withUnsafeBufferPointer { body($0.baseAddress!, width) }
    }

    /// Rows `indices` of `table`, with a scatter-add gradient. The rows are copied only if read:
    /// added to other terms first (`+ b_h`), they are gathered inside the consumer's loop.
    static func rowLookup(_ indices: [Int32], in table: Tensor, count m: Int) -> Tensor {
        let n = table.shape[1]
        let rows = DeferredSum(rows: m, width: n, terms: [.gathered(indices: indices, table: table.scalars)])
        let backward = { (g: Tensor) -> [Tensor?] in
            // Rows may repeat an index: each thread adds its half of the rows (those in its
            // core's cache) into a table of its own, and the two tables are added in a fixed
            // order, so the result does not depend on timing. On one thread (or inside a job,
            // as in a split batch's half) one table takes every row.
            let tableCount = Parallelism.canSplit ? 2 : 1
            var tables = [Float](repeating: 0, count: tableCount * table.count)
            g.scalars.withUnsafeBufferPointer { gs in
                tables.withUnsafeMutableBufferPointer { out in
                    let sums = out.baseAddress!, source = gs.baseAddress!
                    indices.withUnsafeBufferPointer { rows in
                        Parallelism.forEachPart(m, minimumPerThread: 256) { part in
                            let sum = sums + (part.lowerBound == 0 ? 0 : table.count)
                            for r in part { RowReductions.add(source + r * n, into: sum + Int(rows[r]) * n, count: n) }
                        }
                    }
                }
            }
            if tableCount == 2 {
                tables.withUnsafeMutableBufferPointer { t in
                    for i in 0..<table.count { t[i] += t[table.count + i] }
                }
                tables.removeLast(table.count)
            }
            return [Tensor(shape: table.shape, scalars: tables)]
        }
        guard DeferredValues.sumsAreDeferred else {
            return Tensor(shape: [m, n], scalars: rows.evaluate(), inputs: [table], backward: backward)
        }
        return Tensor(shape: [m, n], deferred: .sum(rows), inputs: [table], backward: backward)
    }
}

/// The matrix product of two 2-D tensors (`d2l.matmul`).
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }

extension Tensor {
    /// Storage that the caller overwrites entirely (gemm with beta 0, lookups): no zeroing pass.
    @inline(__always)
    static func uninitialized(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
