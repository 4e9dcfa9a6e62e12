internal import CBLAS

/// The hot loops behind tensor operations: BLAS for matrix products, plain loops over unsafe
/// buffers (which the optimiser vectorises) for elementwise work.
package enum Kernels {
    /// OpenBLAS's own threads are slower than one thread on the chapter's small shapes
    /// (PLATFORM.md); parallelism, where it pays, is done above BLAS.
    static let singleThreadedBLAS: Void = { openblas_set_num_threads(1) }()

    /// `c = alpha * op(a) * op(b) + beta * c` for row-major matrices, where `op(a)` is m×k and
    /// `op(b)` is k×n; `lda` and `ldb` are the row strides of `a` and `b` as stored.
    ///
    /// With two threads, large products are split in two: by rows of the result when it is
    /// tall (each element then computed as on one thread); for a small `op(a)^T`-shaped weight
    /// gradient summed over many rows, by halves of the inner dimension, whose two partial
    /// products are added in a fixed order; else by columns of the result.
    ///
    /// `paddedB`, when the caller keeps one (a weight's ``Tensor/narrowFactor(transposed:)``),
    /// is `op(b)` already laid out for the narrow kernels, which then read it instead of `b`.
    package static func gemm(_ a: UnsafePointer<Float>, transposeA: Bool,
                     _ b: UnsafePointer<Float>, transposeB: Bool,
                     into c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
                     lda: Int? = nil, ldb: Int? = nil, paddedB: UnsafePointer<Float>? = nil) {
        _ = singleThreadedBLAS
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta == 0 { c.update(repeating: 0, count: m * n) }
            return
        }
        // Row strides: the matrices' widths unless they are rows of bigger ones.
        let lda = lda ?? (transposeA ? m : k), ldb = ldb ?? (transposeB ? k : n)
        // One product on a block of the result: `rows` rows and `columns` columns at `c`, with
        // the whole result's row stride, over `depth` steps of the inner dimension.
        func call(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                  rows: Int, columns: Int, depth: Int = k) {
            if let paddedB, NarrowProduct.isEnabled && alpha == 1 && beta == 0 && !transposeA && columns == n {
                return NarrowProduct.multiply(a, lda: lda, padded: paddedB, into: c, ldc: n, m: rows, n: n, k: depth)
            }
            if NarrowProduct.isEnabled && alpha == 1 && beta == 0 && !(transposeA && transposeB) {
                let done = transposeA
                    ? NarrowProduct.multiplyTransposedA(a, lda: lda, b, ldb: ldb, into: c, ldc: n,
                                                        m: rows, n: columns, k: depth)
                    : NarrowProduct.multiply(a, lda: lda, b, ldb: ldb, transposeB: transposeB, into: c, ldc: n,
                                             m: rows, n: columns, k: depth)
                if done { return }
            }
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(rows), Int32(columns), Int32(depth), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(n))
        }
        // Not inside a job (a half of a split batch): both pieces would run on this thread,
        // the weight gradient's two partial sums cost an addition, and a result cut into
        // columns of 14 is too narrow for the narrow kernels.
        let worthSplitting = Parallelism.canSplit && m * n * k >= 1 << 17
        if worthSplitting && m < 64 && k >= 512 && transposeA && !transposeB && beta == 0 {
            // A weight gradient, H^T G: a small result summed over the batch. Each thread
            // sums over its half of the batch, the rows the earlier row-split operations left
            // in its core's cache, and the two partial results are added in a fixed order.
            let half = k / 2
            var partial = [Float](repeating: 0, count: m * n)
            partial.withUnsafeMutableBufferPointer { p in
                let lower = p.baseAddress!
                Parallelism.pair({ call(a, b, c, rows: m, columns: n, depth: half) },
                                 { call(a + half * lda, b + half * ldb, lower, rows: m, columns: n, depth: k - half) })
                for i in 0..<(m * n) { c[i] += lower[i] }
            }
        } else if worthSplitting && m >= 64 {
            // Rows of op(a) start at row r of a, or column r of a when it is transposed.
            let top = m / 2
            let lower = transposeA ? a + top : a + top * lda
            Parallelism.pair({ call(a, b, c, rows: top, columns: n) },
                             { call(lower, b, c + top * n, rows: m - top, columns: n) })
        } else if worthSplitting && n >= 16 && paddedB == nil {
            // Columns of op(b) start at column j of b, or row j when it is transposed.
            let left = n / 2
            let right = transposeB ? b + left * ldb : b + left
            Parallelism.pair({ call(a, b, c, rows: m, columns: left) },
                             { call(a, right, c + left, rows: m, columns: n - left) })
        } else {
            call(a, b, c, rows: m, columns: n)
        }
    }

    /// `target[offset + i] += source[i]`: the whole of an equal-sized target, or the part a
    /// slice's gradient covers.
    static func add(_ source: [Float], into target: inout [Float], at offset: Int = 0) {
        precondition(offset >= 0 && offset + source.count <= target.count)
        guard !source.isEmpty else { return }
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                let t = t.baseAddress! + offset
                for i in 0..<s.count { t[i] += s[i] }
            }
        }
    }
}
