import Foundation

/// Matrix products whose result is at most 32 columns wide: every product of the chapter's
/// RNN (32 hidden units, 28 characters).
///
/// OpenBLAS tunes for big matrices. On these shapes its kernels reach 60-150 GFLOPS per core
/// depending on transposition (a 512x32x32 `A B` is fast, `A B^T` and `A^T B` are not), and
/// 1024-row products take its general path, which packs both operands and clears the result
/// first. These kernels keep a block of 8 result rows by 32 columns in 16 vector registers and
/// add one rank-1 update per step of the inner dimension, the same loop for all three shapes:
/// - `A B`: a step is a column of A (broadcast, one per row) times a row of B;
/// - `A B^T`: the same after transposing B, a weight matrix of at most 32 x 64;
/// - `A^T B` (a weight gradient): a step is a row of A (the block's 8 entries broadcast) times
///   a row of B, summed over the batch.
///
/// The summation order is fixed (the inner dimension in order), so results do not depend on
/// the thread count when the caller splits rows.
package enum NarrowProduct {
    typealias Vector = SIMD16<Float>

    /// Whether ``Kernels/gemm(_:transposeA:_:transposeB:into:m:n:k:alpha:beta:lda:ldb:)`` uses
    /// these kernels: in builds for AVX-512 (elsewhere a 16-float vector is two or four
    /// registers and the tile spills), unless `D2L_NARROW_PRODUCT=0` asks for OpenBLAS (to
    /// compare the two). Tests turn it on everywhere: the kernels are plain Swift.
    nonisolated(unsafe) package static var isEnabled: Bool = {
        #if D2L_AVX512
        return ProcessInfo.processInfo.environment["D2L_NARROW_PRODUCT"] != "0"
        #else
        return false
        #endif
    }()

    /// Result widths these kernels take: two vectors' worth, of which the second may be partial.
    static let widths = 17...32
    /// The longest inner dimension `A B` and `A B^T` take (B is copied into a padded block).
    static let maximumDepth = 64

    /// Whether `A B` and `A B^T` take a result `n` wide over an inner dimension `k`.
    static func takes(n: Int, k: Int) -> Bool { widths.contains(n) && (1...maximumDepth).contains(k) }

    /// Results up to this wide are computed as column blocks of 17-32 (the exercises' 64 and
    /// 128 hidden units: OpenBLAS reached 50-80 GFLOPS a core on those shapes).
    static let widestInBlocks = 128
    /// The longest inner dimension of `A B` and `A B^T` called directly, whole or in column
    /// blocks (deferred products and kept weight layouts stop at ``maximumDepth``).
    static let maximumDirectDepth = 128

    /// The column ranges of a result `n` wide (33 to ``widestInBlocks``), each 17-32 wide and
    /// as even as possible; nil for widths these kernels take whole or not at all.
    static func columnBlocks(_ n: Int) -> [Range<Int>]? {
        guard n > widths.upperBound, n <= widestInBlocks else { return nil }
        let blocks = (n + widths.upperBound - 1) / widths.upperBound
        guard n / blocks >= widths.lowerBound else { return nil }
        return (0..<blocks).map { (($0 * n) / blocks)..<((($0 + 1) * n) / blocks) }
    }

    /// `c = a b`: `a` is m×k with row stride `lda`, `b` is k×n (row stride `ldb`) or, when
    /// `transposeB`, n×k; `c` is m×n with row stride `ldc`. Returns false, touching nothing,
    /// for shapes it does not take.
    ///
    /// With `adding`, `c += a b` (the product rounded first, then added: as computing the
    /// product and adding it would). `excessIsOverwritten` tells that the floats past each row's
    /// n, up to 32, belong to columns the caller writes afterwards (one part of a stacked row),
    /// so rows may be stored as two whole vectors.
    @discardableResult
    static func multiply(_ a: UnsafePointer<Float>, lda: Int,
                         _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                         into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
                         adding: Bool = false, excessIsOverwritten: Bool = false) -> Bool {
        if let blocks = columnBlocks(n), (1...maximumDirectDepth).contains(k), m > 0 {
            for block in blocks {
                // Columns of B start at column j of b, or at row j when it is transposed.
                let columns = transposeB ? b + block.lowerBound * ldb : b + block.lowerBound
                multiplyNarrow(a, lda: lda, columns, ldb: ldb, transposeB: transposeB, into: c + block.lowerBound, ldc: ldc,
                               m: m, n: block.count, k: k, adding: adding)
            }
            return true
        }
        return multiplyNarrow(a, lda: lda, b, ldb: ldb, transposeB: transposeB, into: c, ldc: ldc, m: m, n: n, k: k,
                              adding: adding, excessIsOverwritten: excessIsOverwritten)
    }

    /// ``multiply(_:lda:_:ldb:transposeB:into:ldc:m:n:k:adding:excessIsOverwritten:)`` for one
    /// result at most 32 wide.
    @discardableResult
    private static func multiplyNarrow(_ a: UnsafePointer<Float>, lda: Int,
                                       _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                                       into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
                                       adding: Bool, excessIsOverwritten: Bool = false) -> Bool {
        guard widths.contains(n), (1...maximumDirectDepth).contains(k), m > 0 else { return false }
        if n == 32 && ldb == 32 && !transposeB {
            multiply(a, lda: lda, padded: b, into: c, ldc: ldc, m: m, n: n, k: k,
                     adding: adding, excessIsOverwritten: excessIsOverwritten)
            return true
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k * 32) { padded in
            let rows = padded.baseAddress!
            pad(b, ldb: ldb, transposed: transposeB, n: n, k: k, into: rows)
            multiply(a, lda: lda, padded: rows, into: c, ldc: ldc, m: m, n: n, k: k,
                     adding: adding, excessIsOverwritten: excessIsOverwritten)
        }
        return true
    }

    /// B (k×n, row stride `ldb`, or n×k when `transposed`) as k rows of exactly 32 columns,
    /// zeros past n, at `rows`: every step then loads two whole vectors, and the padding only
    /// adds zeros to columns that are not stored.
    static func pad(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, n: Int, k: Int,
                    into rows: UnsafeMutablePointer<Float>) {
        rows.initialize(repeating: 0, count: k * 32)
        if transposed {
            for j in 0..<n { for p in 0..<k { rows[p * 32 + j] = b[j * ldb + p] } }
        } else {
            for p in 0..<k { (rows + p * 32).update(from: b + p * ldb, count: n) }
        }
    }

    /// `c = a b` (or `c += a b`) with B given padded: k rows of 32 floats. With `bias` (n
    /// floats), `c = a b + bias`: the product rounded, then the bias added, as adding it
    /// afterwards would, without another pass over c.
    static func multiply(_ a: UnsafePointer<Float>, lda: Int, padded rows: UnsafePointer<Float>,
                         into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
                         adding: Bool = false, excessIsOverwritten: Bool = false, bias: UnsafePointer<Float>? = nil) {
        var writer = RowWriter(c, ldc: ldc, width: n, adding: adding, excessIsOverwritten: excessIsOverwritten)
        if let bias { writer.addToEveryRow(bias) }
        var i = 0
        while i + 8 <= m {
            var tile = Tile()
            tile.accumulate(a + i * lda, step: 1, row: lda, rows, step: 32, steps: k)
            writer.store(tile, at: i, lastRowOfCall: i + 8 == m)
            i += 8
        }
        while i < m {
            var row = TileRow()
            row.accumulate(a + i * lda, step: 1, rows, step: 32, steps: k)
            writer.store(row, at: i, lastRowOfCall: i + 1 == m)
            i += 1
        }
    }

    /// `c = a^T b`: `a` is k×m (row stride `lda`), `b` is k×n (row stride `ldb`), `c` is m×n
    /// (row stride `ldc`). The weight gradient `H^T G` over a batch of k rows.
    static func multiplyTransposedA(_ a: UnsafePointer<Float>, lda: Int,
                                    _ b: UnsafePointer<Float>, ldb: Int,
                                    into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int) -> Bool {
        // The partial results wait in a scratch of m rows of 32: up to 128 rows (16 KiB) it
        // stays in L1 beside the chunk's rows; taller results are left to BLAS.
        guard (1...widestInBlocks).contains(m), k > 0 else { return false }
        if let blocks = columnBlocks(n) {
            for block in blocks {
                _ = multiplyTransposedA(a, lda: lda, b + block.lowerBound, ldb: ldb, into: c + block.lowerBound, ldc: ldc,
                                        m: m, n: block.count, k: k)
            }
            return true
        }
        guard widths.contains(n) else { return false }
        if transposingSavesPadding(m: m, n: n) {
            // c^T = b^T a: the same sums in the same order (each product's factors swapped,
            // which is exact), with no padding lane: an output weight gradient 32 x 28 is 64
            // vector multiply-adds per row of the batch, its transpose 28 x 32 is 56.
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: n * m) { scratch in
                let transposed = scratch.baseAddress!
                _ = multiplyTransposedA(b, lda: ldb, a, ldb: lda, into: transposed, ldc: m, m: n, n: m, k: k)
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] = transposed[j * m + i] } }
                return true
            }
        }
        // Rows of b are loaded 32 wide. Before the last row that stays inside b (its rows are
        // at least 17 apart, so 32 floats never pass the next row's end); the last row is
        // copied into a padded buffer.
        let writer = RowWriter(c, ldc: ldc, width: n)
        let tiles = m / 8, hasHalfTile = m % 8 >= 4
        // Rows past the tiles, one at a time.
        let firstRow = 8 * tiles + (hasHalfTile ? 4 : 0)
        // The batch by chunks of rows, each chunk's rows of a and b (8 KiB each for 64 rows of
        // 32) in L1 while every 8-row tile of the result, then a 4-row one and each row left
        // over, takes its turn: a tile over the whole batch would read all of b, 64 KiB for
        // 512 rows, from L2 once per tile. Results wait in `partial` (row r at 32 r) between
        // chunks; saving and reloading them is exact, and each sum still runs over the rows in
        // order.
        let chunk = 64
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + m * 32) { scratch in
            let lastRow = scratch.baseAddress!, partial = lastRow + 32, lastA = a + (k - 1) * lda
            lastRow.initialize(repeating: 0, count: 32)
            lastRow.update(from: b + (k - 1) * ldb, count: n)
            var start = 0
            while start < k - 1 {
                let steps = min(chunk, k - 1 - start)
                for t in 0..<tiles {
                    var tile = start == 0 ? Tile() : Tile(loading: partial + t * 256)
                    tile.accumulate(a + start * lda + 8 * t, step: lda, row: 1, b + start * ldb, step: ldb, steps: steps)
                    tile.save(to: partial + t * 256)
                }
                if hasHalfTile {
                    let r = 8 * tiles, saved = partial + r * 32
                    var half = start == 0 ? HalfTile() : HalfTile(loading: saved)
                    half.accumulate(a + start * lda + r, step: lda, row: 1, b + start * ldb, step: ldb, steps: steps)
                    half.save(to: saved)
                }
                for r in firstRow..<m {
                    var row = start == 0 ? TileRow() : TileRow(loading: partial + r * 32)
                    row.accumulate(a + start * lda + r, step: lda, b + start * ldb, step: ldb, steps: steps)
                    row.save(to: partial + r * 32)
                }
                start += steps
            }
            for t in 0..<tiles {
                var tile = k > 1 ? Tile(loading: partial + t * 256) : Tile()
                tile.accumulate(lastA + 8 * t, step: lda, row: 1, lastRow, step: 32, steps: 1)
                writer.store(tile, at: 8 * t, lastRowOfCall: 8 * t + 8 == m)
            }
            if hasHalfTile {
                let r = 8 * tiles
                var half = k > 1 ? HalfTile(loading: partial + r * 32) : HalfTile()
                half.accumulate(lastA + r, step: lda, row: 1, lastRow, step: 32, steps: 1)
                writer.store(half, at: r, lastRowOfCall: r + 4 == m)
            }
            for r in firstRow..<m {
                var row = k > 1 ? TileRow(loading: partial + r * 32) : TileRow()
                row.accumulate(lastA + r, step: lda, lastRow, step: 32, steps: 1)
                writer.store(row, at: r, lastRowOfCall: r + 1 == m)
            }
        }
        return true
    }

    /// Whether `a^T b`, m x n, costs fewer vector multiply-adds as its transpose `b^T a`:
    /// each result row is whole vectors of 16, so a width short of a multiple of 16 is padding
    /// (m = 32 rows of n = 28 take 64 a step, 28 rows of 32 take 56).
    static func transposingSavesPadding(m: Int, n: Int) -> Bool {
        widths.contains(m) && n * ((m + 15) / 16) < m * ((n + 15) / 16)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    /// One result row: two vectors of 16 columns.
    struct TileRow {
        var low = Vector(), high = Vector()

        init() {}

        /// A row saved by ``save(to:)``: 32 floats.
        @inline(__always)
        init(loading p: UnsafePointer<Float>) {
            low = load(p)
            high = load(p + 16)
        }

        @inline(__always)
        func save(to p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: low, as: Vector.self)
            UnsafeMutableRawPointer(p + 16).storeBytes(of: high, as: Vector.self)
        }

        /// Adds `steps` rank-1 updates: `x[s]` (at `x + s * xStep`) times the 32-wide row at
        /// `y + s * yStep`.
        @inline(__always)
        mutating func accumulate(_ x: UnsafePointer<Float>, step xStep: Int,
                                 _ y: UnsafePointer<Float>, step yStep: Int, steps: Int) {
            for s in 0..<steps {
                let scale = Vector(repeating: x[s * xStep])
                low = low.addingProduct(scale, load(y + s * yStep))
                high = high.addingProduct(scale, load(y + s * yStep + 16))
            }
        }
    }

    /// Eight result rows in sixteen registers (AVX-512 has 32: the rest hold the step's
    /// operands). Its own loop rather than two ``HalfTile``s: built from halves, the `A B`
    /// kernel ran at 100-109 GFLOPS instead of 112-113.
    struct Tile {
        var r0 = TileRow(), r1 = TileRow(), r2 = TileRow(), r3 = TileRow()
        var r4 = TileRow(), r5 = TileRow(), r6 = TileRow(), r7 = TileRow()

        init() {}

        /// A tile saved by ``save(to:)``: 8 rows of 32 floats.
        @inline(__always)
        init(loading p: UnsafePointer<Float>) {
            @inline(__always) func row(_ i: Int) -> TileRow { TileRow(loading: p + 32 * i) }
            (r0, r1, r2, r3, r4, r5, r6, r7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        }

        @inline(__always)
        func save(to p: UnsafeMutablePointer<Float>) {
            r0.save(to: p); r1.save(to: p + 32); r2.save(to: p + 64); r3.save(to: p + 96)
            r4.save(to: p + 128); r5.save(to: p + 160); r6.save(to: p + 192); r7.save(to: p + 224)
        }

        /// Adds `steps` rank-1 updates: for each step, row r's scalar is at
        /// `x + s * xStep + r * xRow`, the shared 32-wide row at `y + s * yStep`.
        @inline(__always)
        mutating func accumulate(_ x: UnsafePointer<Float>, step xStep: Int, row xRow: Int,
                                 _ y: UnsafePointer<Float>, step yStep: Int, steps: Int) {
            // The chapter's depth is 32: a loop with a known trip count is unrolled and runs at
            // 150-160 GFLOPS here, the general loop at 90-135.
            if steps == 32 && xStep == 1 {
                update(x, step: 1, row: xRow, y, step: yStep, steps: 32)
            } else {
                update(x, step: xStep, row: xRow, y, step: yStep, steps: steps)
            }
        }

        @inline(__always)
        private mutating func update(_ x: UnsafePointer<Float>, step xStep: Int, row xRow: Int,
                                     _ y: UnsafePointer<Float>, step yStep: Int, steps: Int) {
            for s in 0..<steps {
                let low = load(y + s * yStep), high = load(y + s * yStep + 16)
                let x = x + s * xStep
                let x0 = Vector(repeating: x[0]), x1 = Vector(repeating: x[xRow])
                let x2 = Vector(repeating: x[2 * xRow]), x3 = Vector(repeating: x[3 * xRow])
                let x4 = Vector(repeating: x[4 * xRow]), x5 = Vector(repeating: x[5 * xRow])
                let x6 = Vector(repeating: x[6 * xRow]), x7 = Vector(repeating: x[7 * xRow])
                r0.low = r0.low.addingProduct(x0, low); r0.high = r0.high.addingProduct(x0, high)
                r1.low = r1.low.addingProduct(x1, low); r1.high = r1.high.addingProduct(x1, high)
                r2.low = r2.low.addingProduct(x2, low); r2.high = r2.high.addingProduct(x2, high)
                r3.low = r3.low.addingProduct(x3, low); r3.high = r3.high.addingProduct(x3, high)
                r4.low = r4.low.addingProduct(x4, low); r4.high = r4.high.addingProduct(x4, high)
                r5.low = r5.low.addingProduct(x5, low); r5.high = r5.high.addingProduct(x5, high)
                r6.low = r6.low.addingProduct(x6, low); r6.high = r6.high.addingProduct(x6, high)
                r7.low = r7.low.addingProduct(x7, low); r7.high = r7.high.addingProduct(x7, high)
            }
        }
    }

    /// Four result rows in eight registers: the rows a weight gradient has past its last
    /// whole ``Tile`` (28 = 3 x 8 + 4), which one ``TileRow`` at a time would load each step's
    /// row of the batch four times.
    struct HalfTile {
        var r0 = TileRow(), r1 = TileRow(), r2 = TileRow(), r3 = TileRow()

        init() {}

        /// Rows saved by ``save(to:)``: 4 rows of 32 floats.
        @inline(__always)
        init(loading p: UnsafePointer<Float>) {
            (r0, r1, r2, r3) = (TileRow(loading: p), TileRow(loading: p + 32), TileRow(loading: p + 64), TileRow(loading: p + 96))
        }

        @inline(__always)
        func save(to p: UnsafeMutablePointer<Float>) {
            r0.save(to: p); r1.save(to: p + 32); r2.save(to: p + 64); r3.save(to: p + 96)
        }

        /// ``Tile/accumulate(_:step:row:_:step:steps:)`` for four rows.
        @inline(__always)
        mutating func accumulate(_ x: UnsafePointer<Float>, step xStep: Int, row xRow: Int,
                                 _ y: UnsafePointer<Float>, step yStep: Int, steps: Int) {
            for s in 0..<steps {
                let low = load(y + s * yStep), high = load(y + s * yStep + 16)
                let x = x + s * xStep
                let x0 = Vector(repeating: x[0]), x1 = Vector(repeating: x[xRow])
                let x2 = Vector(repeating: x[2 * xRow]), x3 = Vector(repeating: x[3 * xRow])
                r0.low = r0.low.addingProduct(x0, low); r0.high = r0.high.addingProduct(x0, high)
                r1.low = r1.low.addingProduct(x1, low); r1.high = r1.high.addingProduct(x1, high)
                r2.low = r2.low.addingProduct(x2, low); r2.high = r2.high.addingProduct(x2, high)
                r3.low = r3.low.addingProduct(x3, low); r3.high = r3.high.addingProduct(x3, high)
            }
        }
    }

    /// Stores result rows of `width` (17-32) columns, or adds them to what is there.
    struct RowWriter {
        let c: UnsafeMutablePointer<Float>
        let ldc: Int
        let width: Int
        let adding: Bool
        let excessIsOverwritten: Bool
        /// A row added to every result row before it is stored (zeros past `width`), when
        /// `hasBias`: a flag and two vectors keep the writer in registers, an optional did not.
        private var hasBias = false
        private var bias = TileRow()

        init(_ c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, adding: Bool = false, excessIsOverwritten: Bool = false) {
            self.c = c
            self.ldc = ldc
            self.width = width
            self.adding = adding
            self.excessIsOverwritten = excessIsOverwritten
        }

        /// Adds `row` (`width` floats) to every row stored.
        mutating func addToEveryRow(_ row: UnsafePointer<Float>) {
            var padded = TileRow()
            for j in 0..<width { if j < 16 { padded.low[j] = row[j] } else { padded.high[j - 16] = row[j] } }
            bias = padded
            hasBias = true
        }

        @inline(__always)
        func store(_ tile: Tile, at row: Int, lastRowOfCall: Bool) {
            store(tile.r0, at: row, lastRowOfCall: false)
            store(tile.r1, at: row + 1, lastRowOfCall: false)
            store(tile.r2, at: row + 2, lastRowOfCall: false)
            store(tile.r3, at: row + 3, lastRowOfCall: false)
            store(tile.r4, at: row + 4, lastRowOfCall: false)
            store(tile.r5, at: row + 5, lastRowOfCall: false)
            store(tile.r6, at: row + 6, lastRowOfCall: false)
            store(tile.r7, at: row + 7, lastRowOfCall: lastRowOfCall)
        }

        @inline(__always)
        func store(_ half: HalfTile, at row: Int, lastRowOfCall: Bool) {
            store(half.r0, at: row, lastRowOfCall: false)
            store(half.r1, at: row + 1, lastRowOfCall: false)
            store(half.r2, at: row + 2, lastRowOfCall: false)
            store(half.r3, at: row + 3, lastRowOfCall: lastRowOfCall)
        }

        /// A row narrower than 32 is stored as two whole vectors when the excess is written
        /// again later: by the next row of this call when rows are packed (ldc == width), or
        /// by the caller. Otherwise (the call's last packed row, a block of a wider matrix whose
        /// other columns another thread writes, or an addition) only its own floats are written.
        @inline(__always)
        func store(_ row: TileRow, at index: Int, lastRowOfCall: Bool) {
            let p = c + index * ldc
            var row = row
            if hasBias {
                row.low += bias.low
                row.high += bias.high
            }
            if adding {
                UnsafeMutableRawPointer(p).storeBytes(of: load(p) + row.low, as: Vector.self)
                if width == 32 {
                    UnsafeMutableRawPointer(p + 16).storeBytes(of: load(p + 16) + row.high, as: Vector.self)
                } else {
                    for j in 16..<width { p[j] += row.high[j - 16] }
                }
                return
            }
            UnsafeMutableRawPointer(p).storeBytes(of: row.low, as: Vector.self)
            if width == 32 || excessIsOverwritten || (ldc == width && !lastRowOfCall) {
                UnsafeMutableRawPointer(p + 16).storeBytes(of: row.high, as: Vector.self)
            } else {
                storePrefix(row.high, count: width - 16, to: p + 16)
            }
        }

        /// The first `count` (1-15) lanes of `v`, in pieces of 8, 4, 2 and 1.
        @inline(__always)
        private func storePrefix(_ v: Vector, count: Int, to p: UnsafeMutablePointer<Float>) {
            var offset = 0
            var rest = v
            if count & 8 != 0 {
                UnsafeMutableRawPointer(p).storeBytes(of: rest.lowHalf, as: SIMD8<Float>.self)
                rest = Vector(lowHalf: rest.highHalf, highHalf: rest.highHalf)
                offset = 8
            }
            if count & 4 != 0 {
                UnsafeMutableRawPointer(p + offset).storeBytes(of: rest.lowHalf.lowHalf, as: SIMD4<Float>.self)
                rest = Vector(lowHalf: SIMD8(lowHalf: rest.lowHalf.highHalf, highHalf: rest.lowHalf.highHalf),
                              highHalf: rest.highHalf)
                offset += 4
            }
            if count & 2 != 0 {
                UnsafeMutableRawPointer(p + offset).storeBytes(of: rest.lowHalf.lowHalf.lowHalf, as: SIMD2<Float>.self)
                rest = Vector(lowHalf: SIMD8(lowHalf: SIMD4(lowHalf: rest.lowHalf.lowHalf.highHalf,
                                                             highHalf: rest.lowHalf.lowHalf.highHalf),
                                             highHalf: rest.lowHalf.highHalf),
                              highHalf: rest.highHalf)
                offset += 2
            }
            if count & 1 != 0 { p[offset] = rest[0] }
        }
    }
}
