/// Maximum and sum of short rows (a vocabulary's worth of logits), eight lanes at a time.
///
/// Scalar reductions cannot be vectorised by the compiler (reordering float additions changes
/// results, and `max` must respect NaN), so these spell out the SIMD order: lanes first, then
/// the lanes together, then the tail. The order is fixed, so results are reproducible.
enum RowReductions {
    @inline(__always)
    static func max(_ row: UnsafePointer<Float>, count: Int) -> Float {
        @inline(__always) func load(_ c: Int) -> SIMD8<Float> { UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self) }
        var c = 0
        var lanes = SIMD8<Float>(repeating: -.infinity)
        if count >= 32 {
            // Long rows (a block of logits) in four chains: one chain waits for each compare
            // before the next.
            var (l0, l1, l2, l3) = (load(0), load(8), load(16), load(24))
            c = 32
            while c + 32 <= count {
                l0 = max(l0, load(c)); l1 = max(l1, load(c + 8))
                l2 = max(l2, load(c + 16)); l3 = max(l3, load(c + 24))
                c += 32
            }
            lanes = max(max(l0, l1), max(l2, l3))
        }
        while c + 8 <= count { lanes = max(lanes, load(c)); c += 8 }
        var result = max(lanes)
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

    /// Adds to `sum` the column sums of `rows` (a bias's gradient), each column summed from 0
    /// row after row: into a zeroed `sum`, exactly what adding the rows to it one by one gives.
    /// Rows of up to 32 floats, a multiple of 4, are summed in registers: adding each row into
    /// memory made every row wait for the last one's stores.
    @inline(__always)
    static func addRows(_ rows: Range<Int>, width: Int, into sum: UnsafeMutablePointer<Float>,
                        row: (Int) -> UnsafePointer<Float>) {
        guard width <= 32, width % 4 == 0 else {
            for r in rows { add(row(r), into: sum, count: width) }
            return
        }
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
        }
        let eights = width / 8, four = width % 8 == 4
        var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var s4 = SIMD4<Float>()
        @inline(__always) func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
        }
        // The chapter's widths (32 hidden units, 28 characters) get loops without a test per
        // row: with them, the sums were kept in memory and each row waited for the last's
        // stores.
        switch (eights, four) {
        case (4, false):
            for r in rows {
                let p = row(r)
                s0 += load(p); s1 += load(p + 8); s2 += load(p + 16); s3 += load(p + 24)
            }
        case (3, true):
            for r in rows {
                let p = row(r)
                s0 += load(p); s1 += load(p + 8); s2 += load(p + 16); s4 += load4(p + 24)
            }
        default:
            for r in rows {
                let p = row(r)
                if eights > 0 { s0 += load(p) }
                if eights > 1 { s1 += load(p + 8) }
                if eights > 2 { s2 += load(p + 16) }
                if eights > 3 { s3 += load(p + 24) }
                if four { s4 += load4(p + 8 * eights) }
            }
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 36) { lanes in
            let l = UnsafeMutableRawPointer(lanes.baseAddress!)
            l.storeBytes(of: s0, as: SIMD8<Float>.self)
            l.storeBytes(of: s1, toByteOffset: 32, as: SIMD8<Float>.self)
            l.storeBytes(of: s2, toByteOffset: 64, as: SIMD8<Float>.self)
            l.storeBytes(of: s3, toByteOffset: 96, as: SIMD8<Float>.self)
            l.storeBytes(of: s4, toByteOffset: 32 * eights, as: SIMD4<Float>.self)
            for j in 0..<width { sum[j] += lanes[j] }
        }
    }

    /// `accumulator[j] += row[j]` for `j` in `0..<count`: one row of a column sum (a bias's
    /// gradient) or of a scatter-add.
    @inline(__always)
    static func add(_ row: UnsafePointer<Float>, into accumulator: UnsafeMutablePointer<Float>, count: Int) {
        add(UnsafePointer(accumulator), row, into: accumulator, count: count)
    }

    /// `destination[j] = a[j] + b[j]` for `j` in `0..<count`, which may be `a` or `b`. Spelled
    /// in SIMD because the compiler cannot prove the pointers apart and would otherwise add
    /// one float at a time.
    @inline(__always)
    static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
                    count: Int) {
        // Sixteen lanes first (one AVX-512 register: a 32-float row in two steps), then eight.
        var c = 0
        while c + 16 <= count {
            let sum = UnsafeRawPointer(a + c).loadUnaligned(as: SIMD16<Float>.self)
                + UnsafeRawPointer(b + c).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(destination + c).storeBytes(of: sum, as: SIMD16<Float>.self)
            c += 16
        }
        if c + 8 <= count {
            let sum = UnsafeRawPointer(a + c).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(b + c).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(destination + c).storeBytes(of: sum, as: SIMD8<Float>.self)
            c += 8
        }
        while c < count { destination[c] = a[c] + b[c]; c += 1 }
    }

    /// The larger lane of each pair, as a compare and select (`pointwiseMax` is not inlined).
    @inline(__always)
    static func max(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }

    /// The largest lane, by halves.
    @inline(__always)
    static func max(_ lanes: SIMD8<Float>) -> Float {
        let four = lanes.lowHalf.replacing(with: lanes.highHalf, where: lanes.highHalf .> lanes.lowHalf)
        let two = four.lowHalf.replacing(with: four.highHalf, where: four.highHalf .> four.lowHalf)
        return Swift.max(two[0], two[1])
    }
}
