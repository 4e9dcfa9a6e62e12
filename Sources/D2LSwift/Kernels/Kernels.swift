internal import CBLAS

/// The hot loops behind tensor operations: BLAS for matrix products, plain loops over unsafe
/// buffers (which the optimiser vectorises) for elementwise work.
enum Kernels {
    /// OpenBLAS's own threads are slower than one thread on the chapter's small shapes
    /// (PLATFORM.md); parallelism, where it pays, is done above BLAS.
    static let singleThreadedBLAS: Void = { openblas_set_num_threads(1) }()

    /// `c = alpha * op(a) * op(b) + beta * c` for row-major matrices, where `op(a)` is m×k and
    /// `op(b)` is k×n.
    static func gemm(_ a: UnsafePointer<Float>, transposeA: Bool,
                     _ b: UnsafePointer<Float>, transposeB: Bool,
                     into c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        _ = singleThreadedBLAS
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta == 0 { c.update(repeating: 0, count: m * n) }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(transposeA ? m : k),
                    b, Int32(transposeB ? k : n),
                    beta, c, Int32(n))
    }

    /// `target[i] += source[i]`.
    static func add(_ source: [Float], into target: inout [Float]) {
        precondition(source.count == target.count)
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                for i in 0..<t.count { t[i] += s[i] }
            }
        }
    }

    /// Applies `f` to each element.
    @inline(__always)
    static func map(_ x: [Float], _ f: (Float) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { input in
                for i in 0..<input.count { out[i] = f(input[i]) }
            }
            initialized = x.count
        }
    }

    /// Combines two equally long arrays element by element.
    @inline(__always)
    static func zip(_ x: [Float], _ y: [Float], _ f: (Float, Float) -> Float) -> [Float] {
        precondition(x.count == y.count)
        return [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { a in
                y.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = f(a[i], b[i]) }
                }
            }
            initialized = x.count
        }
    }
}
