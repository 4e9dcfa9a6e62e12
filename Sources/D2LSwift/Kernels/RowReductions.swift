/// Maximum and sum of short rows (a vocabulary's worth of logits), eight lanes at a time.
///
/// Scalar reductions cannot be vectorised by the compiler (reordering float additions changes
/// results, and `max` must respect NaN), so these spell out the SIMD order: lanes first, then
/// the lanes together, then the tail. The order is fixed, so results are reproducible.
enum RowReductions {
    @inline(__always)
    static func max(_ row: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var c = 0
        while c + 8 <= count {
            let values = UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self)
            lanes.replace(with: values, where: values .> lanes)
            c += 8
        }
        var result = lanes.max()
        while c < count { result = Swift.max(result, row[c]); c += 1 }
        return result
    }

    @inline(__always)
    static func sum(_ row: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var c = 0
        while c + 8 <= count {
            lanes += UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self)
            c += 8
        }
        var result = lanes.sum()
        while c < count { result += row[c]; c += 1 }
        return result
    }
}
