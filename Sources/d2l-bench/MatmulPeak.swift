import D2LSwift
import Foundation
internal import CBLAS

/// Measures single-precision matrix-product speed on this machine, so that training speed can
/// be reported as a share of what the hardware does.
public enum MatmulPeak {
    /// The kernels OpenBLAS chose (or was told to use with `OPENBLAS_CORETYPE`) for this CPU.
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }

    /// Which code multiplies matrices: the library's own kernels for products at most 32
    /// columns wide, when on, and OpenBLAS with the kernels it chose.
    public static var kernels: String {
        (NarrowProduct.isEnabled ? "own AVX-512 kernels up to 32 columns, else " : "") + "OpenBLAS \(blasCoreName)"
    }

    /// GFLOPS of repeated `op(a) x op(b)` products (`op(a)` is m×k, `op(b)` k×n), best of
    /// `repeats` timed batches, with the library's own threading.
    public static func gflops(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                              repeats: Int = 5) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        let flops = 2.0 * Double(m * n * k)
        let iterations = max(1, Int(2e9 / flops))
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        for _ in 0..<iterations {
                            Kernels.gemm(pa.baseAddress!, transposeA: transposeA, pb.baseAddress!, transposeB: transposeB,
                                         into: pc.baseAddress!, m: m, n: n, k: k)
                        }
                    }
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return flops * Double(iterations) / best / 1e9
    }
}
