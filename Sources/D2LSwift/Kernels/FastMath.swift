/// Vectorisable `exp` and `tanh` for Float arrays.
///
/// libm's `expf`/`tanhf` are calls the optimiser cannot vectorise, and `tanh` alone was a
/// fifth of training time. These use the classic range reduction exp(x) = 2^n * exp(r) with
/// |r| <= ln2/2 and a degree-6 polynomial for exp(r): relative error below 5e-7 (a few ulp),
/// checked against libm in the tests.
enum FastMath {
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        // Clamp so 2^(n-1) stays a normal float. Below the clamp the result is flushed to 0
        // (exp(-86.5) is 2.7e-38, near the bottom of Float's normal range); past
        // ln(Float.greatestFiniteMagnitude) it is infinity, as libm's.
        let value = clampedExp(Swift.min(Swift.max(x, -86.5), 88.72))
        return x > 88.72 ? .infinity : (x < -86.5 ? 0 : value)
    }

    /// `exp(x)` for `x <= 0` (shifted logits, tanh's `exp(-2|x|)`), five instructions fewer:
    /// below -86.5 it gives exp(-86.5) = 2.7e-38 rather than 0, which the 1 these values are
    /// compared or added to never shows.
    @inline(__always)
    static func expOfNonPositive(_ x: Float) -> Float {
        clampedExp(Swift.max(x, -86.5))
    }

    /// exp(x) for x in -86.5...88.72.
    @inline(__always)
    private static func clampedExp(_ clamped: Float) -> Float {
        // Adding 1.5 * 2^23 rounds x * log2(e) to the nearest integer n and leaves n in the low
        // bits of the sum's bit pattern: no rintf call and no checked Float-to-Int conversion,
        // either of which would keep the loop from being vectorised.
        let shifter: Float = 12_582_912
        // Fused multiply-adds where the CPU has them: half the instructions, one rounding each.
        let shifted = multiplyAdd(clamped, 1.442_695_04, shifter)
        let n = shifted - shifter
        // r = x - n*ln2, with ln2 split in two for precision.
        let r = multiplyAdd(n, -1.428_606_8e-6, multiplyAdd(n, -0.693_145_75, clamped))
        var p: Float = 1.987_569_1e-4
        p = multiplyAdd(p, r, 1.398_199_9e-3)
        p = multiplyAdd(p, r, 8.333_452e-3)
        p = multiplyAdd(p, r, 4.166_579_6e-2)
        p = multiplyAdd(p, r, 0.166_666_66)
        p = multiplyAdd(p, r, 0.5)
        let er = multiplyAdd(p * r, r, r + 1)
        // 2^n as 2 * 2^(n-1), so that n = 128 (x near 88.7) stays representable.
        let exponentBits = (shifted.bitPattern &- 0x4B40_0000 &+ 126) &<< 23
        let scale = Float(bitPattern: exponentBits)
        return er * scale * 2
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

    /// tanh(x) = sign(x) * (1 - e) / (1 + e) with e = exp(-2|x|), which never overflows.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let e = expOfNonPositive(-2 * Swift.abs(x))
        let t = (1 - e) / (1 + e)
        return x < 0 ? -t : t
    }
}
