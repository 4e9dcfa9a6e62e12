import XCTest
@testable import D2LSwift

/// Compares the gradients `backward()` computes with central finite differences.
///
/// The function is evaluated in Float, but the differences are taken in Double with a step
/// large enough (1e-2) that Float rounding stays far below the tolerance.
func assertGradientsMatch(_ inputs: [Tensor], step: Float = 1e-2, tolerance: Double = 2e-3,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ f: ([Tensor]) -> Tensor) {
    for input in inputs { input.grad = nil }
    let output = f(inputs)
    output.backward()
    for (k, input) in inputs.enumerated() {
        guard let analytic = input.grad else {
            XCTFail("input \(k) got no gradient", file: file, line: line)
            continue
        }
        for i in 0..<input.count {
            let original = input.scalars[i]
            input.scalars[i] = original + step
            let plus = Double(GradientMode.withoutGradients { f(inputs) }.item)
            input.scalars[i] = original - step
            let minus = Double(GradientMode.withoutGradients { f(inputs) }.item)
            input.scalars[i] = original
            let numeric = (plus - minus) / (2 * Double(step))
            let exact = Double(analytic.scalars[i])
            let error = abs(numeric - exact) / max(1, abs(numeric), abs(exact))
            XCTAssertLessThan(error, tolerance, "input \(k) element \(i): analytic \(exact), numeric \(numeric)",
                              file: file, line: line)
        }
    }
}

/// A parameter of the given shape with values drawn from a fixed seed, away from zero.
func parameter(_ shape: [Int], seed: UInt64, offset: Float = 0) -> Tensor {
    var generator = Xoshiro256(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { _ in generator.nextNormal() * 0.5 + offset }).requiringGrad()
}
