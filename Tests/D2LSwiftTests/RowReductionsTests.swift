import XCTest
@testable import D2LSwift

/// Column sums in registers must add exactly what adding row after row into memory adds.
final class RowReductionsTests: XCTestCase {
    func testRowsSummedInRegistersGiveTheRowByRowBits() {
        // Widths summed in registers (multiples of 4 up to 32) and two that are not.
        for width in [4, 8, 12, 20, 28, 32, 6, 36] {
            let rows = 37, stride = width + 3
            let values = (0..<(rows * stride)).map { Float(($0 * 29) % 83) * 0.37 - 11 }
            var rowByRow = [Float](repeating: 0, count: width)
            for r in 0..<rows { for j in 0..<width { rowByRow[j] += values[r * stride + j] } }
            var sum = [Float](repeating: 0, count: width)
            values.withUnsafeBufferPointer { v in
                sum.withUnsafeMutableBufferPointer { s in
                    RowReductions.addRows(0..<rows, width: width, into: s.baseAddress!) { v.baseAddress! + $0 * stride }
                }
            }
            XCTAssertEqual(sum.map(\.bitPattern), rowByRow.map(\.bitPattern), "width \(width)")
        }
    }
}
