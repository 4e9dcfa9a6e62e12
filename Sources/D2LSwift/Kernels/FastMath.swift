/// Vectorisable `exp` and `tanh` for Float arrays.
///
/// libm's `expf`/`tanhf` are calls the optimiser cannot vectorise, and `tanh` alone was a
/// fifth of training time. These use the classic range reduction exp(x) = 2^n * exp(r) with
/// |r| <= ln2/2 and a degree-5 polynomial for exp(r): relative error below 3e-7 (a few ulp),
/// checked against libm in the tests.
enum FastMath {
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        // Clamp so 2^(n-1) stays a normal float. Below the clamp the result is flushed to 0
        // (exp(-86.5) is 2.7e-38, near the bottom of Float's normal range); past
        // ln(Float.greatestFiniteMagnitude) it is infinity, as libm's.
        let (er, shifted) = reduced(Swift.min(Swift.max(x, -86.5), 88.72))
        // 2^n as 2 * 2^(n-1), so that n = 128 (x near 88.7) stays representable.
        let value = er * powerOfTwo(shifted, bias: 126) * 2
        return x > 88.72 ? .infinity : (x < -86.5 ? 0 : value)
    }

    /// `exp(x)` for `x <= 0` (shifted logits, tanh's `exp(-2|x|)`), seven instructions fewer:
    /// below -86.5 it gives about exp(-86.5) = 2.7e-38 rather than 0, which the 1 these values
    /// are compared or added to never shows; n <= 0, so 2^n is a normal float as it is.
    @inline(__always)
    static func expOfNonPositive(_ x: Float) -> Float {
        let (er, shifted) = reduced(Swift.max(x, -86.5))
        return er * powerOfTwo(shifted, bias: 127)
    }

    /// exp(x) = 2^n * exp(r) for x in -86.5...88.72: exp(r), and n in the low bits of
    /// `shifted`'s bit pattern.
    @inline(__always)
    private static func reduced(_ clamped: Float) -> (er: Float, shifted: Float) {
        // Adding 1.5 * 2^23 rounds x * log2(e) to the nearest integer n and leaves n in the low
        // bits of the sum's bit pattern: no rintf call and no checked Float-to-Int conversion,
        // either of which would keep the loop from being vectorised.
        let shifter: Float = 12_582_912
        // Fused multiply-adds where the CPU has them: half the instructions, one rounding each.
        let shifted = multiplyAdd(clamped, 1.442_695_04, shifter)
        let n = shifted - shifter
        // r = x - n*ln2, with ln2 split in two for precision.
        let r = multiplyAdd(n, -1.428_606_8e-6, multiplyAdd(n, -0.693_145_75, clamped))
        var p: Float = 8.314_716e-3
        p = multiplyAdd(p, r, 4.189_025_2e-2)
        p = multiplyAdd(p, r, 0.166_670_9)
        p = multiplyAdd(p, r, 0.499_992_3)
        return (multiplyAdd(p * r, r, r + 1), shifted)
    }

    /// 2^(n + bias - 127) from `shifted` (see ``reduced(_:)``): n plus the bias in the exponent
    /// field. Shifting first drops the shifter's own bits, so the bias is one added constant.
    @inline(__always)
    private static func powerOfTwo(_ shifted: Float, bias: UInt32) -> Float {
        Float(bitPattern: (shifted.bitPattern &<< 23) &+ ((bias &- 0x4B40_0000) &<< 23))
    }

    /// `a * b + c`, fused into one instruction in builds for CPUs with FMA (D2L_FMA); without
    /// it, a fused multiply-add would be a library call per element.
    @inline(__always)
    static func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
        #if D2L_FMA
        return c.addingProduct(a, b)
        #else
        return a * b + c
        #endif
    }

    /// tanh(x) as x P(x^2) / Q(x^2), two degree-4 polynomials fitted for this library (P(0) =
    /// Q(0) = 1, the largest absolute error on 0...9 made small by least squares reweighted
    /// towards the worst points, then checked in Float). x is clamped to ±9.2, where the
    /// fraction passes 1, and the result to ±1: it is exactly ±1 where tanh rounds to it.
    /// Absolute and relative error below 3e-7 (tested against libm); the exp-based
    /// (1 - e) / (1 + e) took 23 instructions to this one's 15, and lost relative precision
    /// near 0, where 1 - e cancels.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -9.2), 9.2)
        let u = clamped * clamped
        var p: Float = 1.333_628_1e-8
        p = multiplyAdd(p, u, 2.059_481_3e-5)
        p = multiplyAdd(p, u, 3.494_681_6e-3)
        p = multiplyAdd(p, u, 0.133_802_53)
        p = multiplyAdd(p, u, 1)
        var q: Float = 7.768_734_3e-7
        q = multiplyAdd(q, u, 3.284_178_7e-4)
        q = multiplyAdd(q, u, 2.587_350_1e-2)
        q = multiplyAdd(q, u, 0.467_135_70)
        q = multiplyAdd(q, u, 1)
        return Swift.min(Swift.max(clamped * p / q, -1), 1)
    }
}
