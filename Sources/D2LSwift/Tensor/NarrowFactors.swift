import Foundation

/// A matrix laid out as ``NarrowProduct``'s right factor (rows of exactly 32 floats), as it is
/// and transposed, kept with the tensor until its values change.
///
/// Every time step multiplies by the same weights (H W_hh and H W_hq forward, G W_hh^T and
/// G_q W_hq^T backward): padding them anew for each product, transposing for the backward's,
/// cost about 2% of training. Both training threads use one tensor's copies, so they are made
/// and read under a lock.
struct NarrowFactors {
    var plain: [Float]?
    var transposed: [Float]?

    var isEmpty: Bool { plain == nil && transposed == nil }

    private static let lock = NSLock()

    static func withLock<R>(_ body: () -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

extension Tensor {
    /// This k×n matrix (n×k when `transposed`, read as its transpose) as `k` rows of 32 floats,
    /// zeros past the `n`th, for ``NarrowProduct/multiply(_:lda:padded:into:ldc:m:n:k:adding:excessIsOverwritten:)``.
    func narrowFactor(transposed: Bool) -> [Float] {
        precondition(rank == 2)
        let (k, n) = transposed ? (shape[1], shape[0]) : (shape[0], shape[1])
        let values = scalars
        return NarrowFactors.withLock {
            if let kept = transposed ? narrowFactors.transposed : narrowFactors.plain { return kept }
            let factor = [Float](unsafeUninitializedCapacity: k * 32) { buffer, initialized in
                values.withUnsafeBufferPointer {
                    NarrowProduct.pad($0.baseAddress!, ldb: shape[1], transposed: transposed, n: n, k: k,
                                      into: buffer.baseAddress!)
                }
                initialized = k * 32
            }
            if transposed { narrowFactors.transposed = factor } else { narrowFactors.plain = factor }
            return factor
        }
    }
}
