import XCTest
@testable import D2LSwift

/// The narrow-product kernels against the definition, on the chapter's shapes and the edges:
/// row tails, partial second vectors, strided operands, results inside wider matrices.
final class NarrowProductTests: XCTestCase {
    /// Values with a fractional part, so that a wrong pairing cannot add up to the right sum.
    private func matrix(_ rows: Int, _ columns: Int, seed: Int) -> [Float] {
        (0..<(rows * columns)).map { Float(($0 * 37 + seed * 11) % 29) * 0.125 - 1.75 }
    }

    /// Reference `op(a) op(b)` in Double, entry (i, j) of an m×n result.
    private func reference(_ a: [Float], lda: Int, transposeA: Bool, _ b: [Float], ldb: Int, transposeB: Bool,
                           m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                c[i * n + j] = Float(sum)
            }
        }
        return c
    }

    private func assertClose(_ x: [Float], _ y: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.count, y.count, file: file, line: line)
        for (u, v) in zip(x, y) where abs(u - v) > 1e-4 * max(1, abs(v)) {
            return XCTFail("\(u) != \(v)", file: file, line: line)
        }
    }

    func testProductAndProductWithTransposedRightOperand() {
        for (m, n, k) in [(512, 32, 32), (512, 28, 32), (13, 17, 5), (9, 32, 64), (1, 28, 32), (40, 31, 1), (64, 28, 128)] {
            for transposeB in [false, true] {
                // The chapter's packed operands, and strided ones (rows of bigger matrices).
                let padding = m == 512 ? 0 : 2
                let lda = k + padding, ldb = (transposeB ? k : n) + padding
                let a = matrix(m, lda, seed: 1), b = matrix(transposeB ? n : k, ldb, seed: 2)
                var c = [Float](repeating: .nan, count: m * n)
                let done = c.withUnsafeMutableBufferPointer { out in
                    NarrowProduct.multiply(a, lda: lda, b, ldb: ldb, transposeB: transposeB,
                                           into: out.baseAddress!, ldc: n, m: m, n: n, k: k)
                }
                XCTAssertTrue(done)
                assertClose(c, reference(a, lda: lda, transposeA: false, b, ldb: ldb, transposeB: transposeB, m: m, n: n, k: k))
            }
        }
    }

    /// A bias added as rows are stored gives the bits of adding it after the product, and
    /// writes nothing past each row (a block of a stacked output keeps its neighbours).
    func testBiasAddedAsRowsAreStored() {
        for (m, n) in [(64, 28), (13, 32), (9, 17)] {
            let k = 32
            let a = matrix(m, k, seed: 5), b = matrix(k, 32, seed: 6), bias = (0..<n).map { Float($0) * 0.37 - 3.1 }
            var padded = [Float](repeating: 0, count: k * 32)
            for p in 0..<k { for j in 0..<n { padded[p * 32 + j] = b[p * 32 + j] } }
            let ldc = n + 3
            var fused = [Float](repeating: .nan, count: m * ldc), separate = fused
            fused.withUnsafeMutableBufferPointer { out in
                NarrowProduct.multiply(a, lda: k, padded: padded, into: out.baseAddress!, ldc: ldc, m: m, n: n, k: k,
                                       bias: bias)
            }
            separate.withUnsafeMutableBufferPointer { out in
                NarrowProduct.multiply(a, lda: k, padded: padded, into: out.baseAddress!, ldc: ldc, m: m, n: n, k: k)
            }
            for i in 0..<m { for j in 0..<n { separate[i * ldc + j] += bias[j] } }
            XCTAssertEqual(fused.map(\.bitPattern), separate.map(\.bitPattern), "\(m)x\(n)")
            XCTAssertTrue((0..<m).allSatisfy { i in (n..<ldc).allSatisfy { fused[i * ldc + $0].isNaN } })
        }
    }

    /// The chapter's weight gradients, edges, and the exercises' wider ones (by column blocks).
    func testWeightGradientShape() {
        for (m, n, k) in [(32, 32, 512), (32, 28, 512), (28, 32, 512), (11, 19, 3), (8, 32, 1), (35, 28, 100),
                          (64, 64, 512), (128, 128, 300), (20, 40, 7), (128, 28, 64), (29, 30, 66), (4, 17, 2)] {
            let lda = m + 1, ldb = n + 5
            let a = matrix(k, lda, seed: 3), b = matrix(k, ldb, seed: 4)
            var c = [Float](repeating: .nan, count: m * n)
            let done = c.withUnsafeMutableBufferPointer { out in
                NarrowProduct.multiplyTransposedA(a, lda: lda, b, ldb: ldb, into: out.baseAddress!, ldc: n, m: m, n: n, k: k)
            }
            XCTAssertTrue(done)
            assertClose(c, reference(a, lda: lda, transposeA: true, b, ldb: ldb, transposeB: false, m: m, n: n, k: k))
        }
    }

    /// Each entry of a weight gradient is its sum in order of the batch's rows, one fused
    /// multiply-add at a time, whichever way it is computed: by 8-row tiles, a 4-row tile and
    /// single rows, and transposed when that saves padding (32 x 28 as 28 x 32). So results do
    /// not depend on the shape's path, and the chapter's numbers on where a batch is cut.
    func testWeightGradientSumsEachEntryInOrder() {
        for (m, n, k) in [(32, 28, 200), (28, 32, 200), (32, 20, 65), (31, 32, 70), (4, 32, 9), (13, 17, 130), (32, 28, 1)] {
            XCTAssertEqual(NarrowProduct.transposingSavesPadding(m: m, n: n), m == 32 && n < 32)
            let lda = m + 3, ldb = n + 1
            let a = matrix(k, lda, seed: 7).map { $0 * 1.37 }, b = matrix(k, ldb, seed: 8).map { $0 * 0.71 }
            var c = [Float](repeating: .nan, count: m * n)
            _ = c.withUnsafeMutableBufferPointer { out in
                NarrowProduct.multiplyTransposedA(a, lda: lda, b, ldb: ldb, into: out.baseAddress!, ldc: n, m: m, n: n, k: k)
            }
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum = sum.addingProduct(a[p * lda + i], b[p * ldb + j]) }
                    guard c[i * n + j].bitPattern == sum.bitPattern else {
                        return XCTFail("\(m)x\(n)x\(k): entry (\(i), \(j)) is \(c[i * n + j]), summed in order \(sum)")
                    }
                }
            }
        }
    }

    /// Rows of a wider result (another thread writes the other columns) and the last row of a
    /// packed result must be written exactly, without touching what follows.
    func testStoresStayInsideTheirBlock() {
        let (m, n, k, ldc) = (19, 28, 32, 40)
        let a = matrix(m, k, seed: 5), b = matrix(k, n, seed: 6)
        var wide = [Float](repeating: 7, count: m * ldc + 8)
        wide.withUnsafeMutableBufferPointer { out in
            _ = NarrowProduct.multiply(a, lda: k, b, ldb: n, transposeB: false, into: out.baseAddress!, ldc: ldc, m: m, n: n, k: k)
        }
        let expected = reference(a, lda: k, transposeA: false, b, ldb: n, transposeB: false, m: m, n: n, k: k)
        for i in 0..<m {
            assertClose(Array(wide[(i * ldc)..<(i * ldc + n)]), Array(expected[(i * n)..<(i * n + n)]))
            XCTAssertEqual(Array(wide[(i * ldc + n)..<(i * ldc + ldc)]), [Float](repeating: 7, count: ldc - n))
        }
        var packed = [Float](repeating: 7, count: m * n + 8)
        packed.withUnsafeMutableBufferPointer { out in
            _ = NarrowProduct.multiply(a, lda: k, b, ldb: n, transposeB: false, into: out.baseAddress!, ldc: n, m: m, n: n, k: k)
        }
        assertClose(Array(packed[0..<(m * n)]), expected)
        XCTAssertEqual(Array(packed[(m * n)...]), [Float](repeating: 7, count: 8))
    }

    /// `c += a b` adds the rounded product to each element and leaves the rest of the rows alone;
    /// with the excess granted, a part of a stacked row may be stored 32 wide.
    func testAddingAndStoringPastTheRowWhenAllowed() {
        let (m, n, k, ldc) = (21, 28, 32, 60)
        let a = matrix(m, k, seed: 7), b = matrix(k, n, seed: 8)
        let product = reference(a, lda: k, transposeA: false, b, ldb: n, transposeB: false, m: m, n: n, k: k)
        let start = matrix(m, ldc, seed: 9)
        var sum = start
        XCTAssertTrue(sum.withUnsafeMutableBufferPointer { out in
            NarrowProduct.multiply(a, lda: k, b, ldb: n, transposeB: false, into: out.baseAddress!, ldc: ldc,
                                   m: m, n: n, k: k, adding: true)
        })
        for i in 0..<m {
            for j in 0..<ldc {
                let expected = j < n ? start[i * ldc + j] + product[i * n + j] : start[i * ldc + j]
                XCTAssertEqual(sum[i * ldc + j], expected, accuracy: 1e-4 * max(1, abs(expected)))
            }
        }
        var stacked = [Float](repeating: 7, count: m * ldc)
        let padded = Tensor(shape: [k, n], scalars: b).narrowFactor(transposed: false)
        stacked.withUnsafeMutableBufferPointer { out in
            NarrowProduct.multiply(a, lda: k, padded: padded, into: out.baseAddress!, ldc: ldc, m: m, n: n, k: k,
                                   excessIsOverwritten: true)
        }
        for i in 0..<m {
            assertClose(Array(stacked[(i * ldc)..<(i * ldc + n)]), Array(product[(i * n)..<(i * n + n)]))
            XCTAssertEqual(Array(stacked[(i * ldc + 32)..<(i * ldc + ldc)]), [Float](repeating: 7, count: ldc - 32))
        }
    }

    /// A weight keeps its padded layouts until its values change (an SGD step), and products
    /// with it read the same numbers as with a fresh layout.
    func testWeightsKeepTheirPaddedLayoutUntilTheyChange() {
        let (k, n) = (5, 20)
        let weight = Tensor(shape: [k, n], scalars: matrix(k, n, seed: 3))
        let plain = weight.narrowFactor(transposed: false), transposed = weight.narrowFactor(transposed: true)
        XCTAssertEqual(plain.count, k * 32)
        XCTAssertEqual(transposed.count, n * 32)
        for p in 0..<k {
            XCTAssertEqual(Array(plain[(p * 32)..<(p * 32 + n)]), Array(weight.scalars[(p * n)..<(p * n + n)]))
            XCTAssertEqual(Array(plain[(p * 32 + n)..<(p * 32 + 32)]), [Float](repeating: 0, count: 32 - n))
        }
        for j in 0..<n {
            for p in 0..<k { XCTAssertEqual(transposed[j * 32 + p], weight.scalars[p * n + j]) }
        }
        XCTAssertFalse(weight.narrowFactors.isEmpty)
        weight.scalars.withUnsafeMutableBufferPointer { $0[0] += 1 }
        XCTAssertTrue(weight.narrowFactors.isEmpty)
        XCTAssertEqual(weight.narrowFactor(transposed: false)[0], plain[0] + 1)
        weight.scalars = matrix(k, n, seed: 4)
        XCTAssertEqual(weight.narrowFactor(transposed: true)[1], weight.scalars[n])
    }

    func testShapesItDoesNotTakeAreLeftToBLAS() {
        var c = [Float](repeating: 0, count: 64 * 200)
        let a = matrix(200, 200, seed: 1)
        c.withUnsafeMutableBufferPointer { out in
            XCTAssertFalse(NarrowProduct.multiply(a, lda: 200, a, ldb: 200, transposeB: false, into: out.baseAddress!, ldc: 33, m: 8, n: 33, k: 64))
            XCTAssertFalse(NarrowProduct.multiply(a, lda: 200, a, ldb: 200, transposeB: false, into: out.baseAddress!, ldc: 129, m: 8, n: 129, k: 64))
            XCTAssertFalse(NarrowProduct.multiply(a, lda: 200, a, ldb: 200, transposeB: false, into: out.baseAddress!, ldc: 64, m: 8, n: 64, k: 129))
            XCTAssertFalse(NarrowProduct.multiply(a, lda: 128, a, ldb: 16, transposeB: false, into: out.baseAddress!, ldc: 16, m: 8, n: 16, k: 128))
            XCTAssertFalse(NarrowProduct.multiplyTransposedA(a, lda: 200, a, ldb: 200, into: out.baseAddress!, ldc: 140, m: 8, n: 140, k: 8))
            XCTAssertFalse(NarrowProduct.multiplyTransposedA(a, lda: 200, a, ldb: 200, into: out.baseAddress!, ldc: 64, m: 129, n: 64, k: 8))
            XCTAssertFalse(NarrowProduct.multiplyTransposedA(a, lda: 200, a, ldb: 200, into: out.baseAddress!, ldc: 32, m: 129, n: 32, k: 8))
        }
    }

    func testWideResultsSplitIntoEvenColumnBlocks() {
        XCTAssertNil(NarrowProduct.columnBlocks(32))
        XCTAssertNil(NarrowProduct.columnBlocks(33), "17 + 16: a block would be too narrow")
        XCTAssertEqual(NarrowProduct.columnBlocks(34), [0..<17, 17..<34])
        XCTAssertEqual(NarrowProduct.columnBlocks(64), [0..<32, 32..<64])
        XCTAssertEqual(NarrowProduct.columnBlocks(100), [0..<25, 25..<50, 50..<75, 75..<100])
        XCTAssertEqual(NarrowProduct.columnBlocks(128)?.count, 4)
        XCTAssertNil(NarrowProduct.columnBlocks(129))
    }

    /// The exercises' 64 and 128 hidden units: products up to 128 wide and deep, by blocks of
    /// columns, written exactly inside a wider result.
    func testWideProductsByColumnBlocks() {
        for (m, n, k) in [(512, 64, 64), (512, 128, 128), (37, 40, 28), (9, 100, 128), (16, 64, 1), (3, 128, 32)] {
            for transposeB in [false, true] {
                let lda = k + 3, ldb = (transposeB ? k : n) + 5, ldc = n + 4
                let a = matrix(m, lda, seed: 1), b = matrix(transposeB ? n : k, ldb, seed: 2)
                var c = [Float](repeating: 7, count: m * ldc)
                let done = c.withUnsafeMutableBufferPointer { out in
                    NarrowProduct.multiply(a, lda: lda, b, ldb: ldb, transposeB: transposeB,
                                           into: out.baseAddress!, ldc: ldc, m: m, n: n, k: k)
                }
                XCTAssertTrue(done, "\(m)x\(n)x\(k)")
                let expected = reference(a, lda: lda, transposeA: false, b, ldb: ldb, transposeB: transposeB, m: m, n: n, k: k)
                for i in 0..<m {
                    assertClose(Array(c[(i * ldc)..<(i * ldc + n)]), Array(expected[(i * n)..<(i * n + n)]))
                    XCTAssertEqual(Array(c[(i * ldc + n)..<(i * ldc + ldc)]), [7, 7, 7, 7], "\(m)x\(n)x\(k) row \(i)")
                }
            }
        }
    }
}
