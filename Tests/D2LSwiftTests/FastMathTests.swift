import Foundation
import XCTest
@testable import D2LSwift

/// The vectorisable exp and tanh against libm over the range training uses and beyond.
final class FastMathTests: XCTestCase {
    func testExpMatchesLibm() {
        var worst: Double = 0
        for i in -8650...8870 {
            let x = Float(i) * 0.01
            let exact = Double(expf(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(FastMath.exp(-200), 0, accuracy: 1e-37)
        XCTAssertEqual(FastMath.exp(100), .infinity)
        XCTAssertEqual(Double(FastMath.exp(88.5)), Double(expf(88.5)), accuracy: Double(expf(88.5)) * 1e-6)
    }

    /// The non-positive variant agrees with the general one on its domain, keeps NaN, and stays
    /// at a tiny positive value far below it.
    func testExpOfNonPositiveMatchesExp() {
        // The same bits, but where exp's 2^(n-1) is subnormal (x near -86.5) and rounds.
        for i in -8600...0 {
            let x = Float(i) * 0.01
            XCTAssertEqual(FastMath.expOfNonPositive(x).bitPattern, FastMath.exp(x).bitPattern, "\(x)")
        }
        for i in -8650...(-8600) {
            let x = Float(i) * 0.01
            XCTAssertEqual(FastMath.expOfNonPositive(x), expf(x), accuracy: expf(x) * 1e-6, "\(x)")
        }
        XCTAssertTrue(FastMath.expOfNonPositive(.nan).isNaN)
        XCTAssertEqual(FastMath.expOfNonPositive(-1000), expf(-86.5), accuracy: 1e-39)
    }

    func testTanhMatchesLibm() {
        var worst: Float = 0, worstRelative: Float = 0
        for i in -300_000...300_000 {
            let x = Float(i) * 0.0001
            let exact = tanhf(x)
            worst = max(worst, abs(FastMath.tanh(x) - exact))
            if exact != 0 { worstRelative = max(worstRelative, abs(FastMath.tanh(x) - exact) / abs(exact)) }
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertLessThan(worstRelative, 3e-7)
        for x: Float in [1e-30, 1e-8, 1e-4] { XCTAssertEqual(FastMath.tanh(x), x, accuracy: x * 3e-7) }
        XCTAssertTrue(FastMath.tanh(.nan).isNaN)
        XCTAssertEqual(FastMath.tanh(.infinity), 1)
        XCTAssertEqual(FastMath.tanh(50), 1)
        XCTAssertEqual(FastMath.tanh(-50), -1)
        XCTAssertEqual(FastMath.tanh(0), 0)
    }
}
