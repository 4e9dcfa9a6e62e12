/// Copies of short rows (a hidden state's or a vocabulary's worth of floats).
///
/// Stacking per-step outputs and looking up embedding rows copy tens of thousands of rows of
/// 28-32 floats per batch; as `memmove` calls, the call itself cost more than the copy.
enum RowCopy {
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        guard count < 256 else { return destination.update(from: source, count: count) }
        var c = 0
        while c + 16 <= count {
            UnsafeMutableRawPointer(destination + c).storeBytes(
                of: UnsafeRawPointer(source + c).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            c += 16
        }
        if c + 8 <= count {
            UnsafeMutableRawPointer(destination + c).storeBytes(
                of: UnsafeRawPointer(source + c).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            c += 8
        }
        while c < count { destination[c] = source[c]; c += 1 }
    }
}
