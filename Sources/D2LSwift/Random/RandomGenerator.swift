import Foundation

/// A seeded generator (xoshiro256**), so that one seed fixes initialisation, data order and
/// sampling.
public struct Xoshiro256: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence depends only on `seed`.
    public init(seed: UInt64) {
        // SplitMix64 spreads the seed over the four words, as the xoshiro authors advise.
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform value in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// A standard normal value (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / Double(1 << 53)), Double.leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) * (1.0 / Double(1 << 53))
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

/// The process-wide generator used by tensor creation, data shuffling and sampling.
public enum Random {
    /// The seed used when none is set: the runner passes its `--seed` as `D2L_SEED`.
    public static var defaultSeed: UInt64 {
        ProcessInfo.processInfo.environment["D2L_SEED"].flatMap(UInt64.init) ?? 0
    }

    /// The shared generator.
    public static var generator = Xoshiro256(seed: defaultSeed)

    /// Restarts the shared generator from `seed`.
    public static func seed(_ seed: UInt64) {
        generator = Xoshiro256(seed: seed)
    }
}
