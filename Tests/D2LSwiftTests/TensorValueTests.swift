import XCTest
@testable import D2LSwift

/// Forward values of the operations, on small hand-computed cases.
final class TensorValueTests: XCTestCase {
    func testBroadcastAddsBiasToEveryRow() {
        let sum = Tensor([[1, 2], [3, 4]]) + Tensor([10, 20])
        XCTAssertEqual(sum.scalars, [11, 22, 13, 24])
        let column = Tensor([[1, 2], [3, 4]]) * Tensor(shape: [2, 1], scalars: [2, 3])
        XCTAssertEqual(column.scalars, [2, 4, 9, 12])
    }

    func testOperandOrderIsKeptWhenTheFirstOperandRepeats() {
        XCTAssertEqual((Float(1) - Tensor([1, 2, 4])).scalars, [0, -1, -3])
        XCTAssertEqual((Tensor([10, 20]) - Tensor([[1, 2], [3, 4]])).scalars, [9, 18, 7, 16])
        XCTAssertEqual((Tensor([8]) / Tensor([[1, 2], [4, 8]])).scalars, [8, 4, 2, 1])
    }

    func testMatmulAndTranspose() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(a.matmul(a.T).scalars, [14, 32, 32, 77])
        XCTAssertEqual(a.T.shape, [3, 2])
        XCTAssertEqual(a.T.scalars, [1, 4, 2, 5, 3, 6])
        // Bands of 16 rows and a partial last band.
        let (rows, columns) = (37, 21)
        let b = Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map(Float.init))
        let transposed = b.T.scalars
        for i in 0..<rows {
            for j in 0..<columns { XCTAssertEqual(transposed[j * rows + i], b.scalars[i * columns + j]) }
        }
    }

    func testOneHotMatchesDefinition() {
        let encoded = Tensor([0, 2]).oneHot(classes: 5)
        XCTAssertEqual(encoded.shape, [2, 5])
        XCTAssertEqual(encoded.scalars, [1, 0, 0, 0, 0, 0, 0, 1, 0, 0])
    }

    /// The gates' activation is a free function, as tanh, exp and relu are.
    func testSigmoidMatchesDefinition() {
        let x: [Float] = [-30, -3, -0.5, 0, 0.5, 3, 30]
        let y = sigmoid(Tensor(shape: [7], scalars: x))
        for (value, input) in zip(y.scalars, x) {
            XCTAssertEqual(value, 1 / (1 + Foundation.exp(-input)), accuracy: 1e-6, "sigmoid(\(input))")
        }
    }

    func testClassIndicesAcceptOnlyIntegersInRange() {
        XCTAssertEqual(Tensor.exactClassIndices([0, 27, 3, -0.0], classes: 28), [0, 27, 3, 0])
        for bad: Float in [2.5, -1, 28, 1e9, .nan, .infinity, 27.9999] {
            XCTAssertNil(Tensor.exactClassIndices([1, bad, 2], classes: 28), "\(bad)")
        }
        XCTAssertNil(Tensor.exactClassIndices([0], classes: 0))
        // Past 2^22 classes the vectorised conversion cannot hold every index: the other path.
        XCTAssertEqual(Tensor.exactClassIndices([5_000_000], classes: 1 << 23), [5_000_000])
        XCTAssertNil(Tensor.exactClassIndices([5_000_000.5], classes: 1 << 23))
    }

    func testStackAlongSecondAxis() {
        let s = Tensor.stack([Tensor([[1, 2]]), Tensor([[3, 4]])], axis: 1)
        XCTAssertEqual(s.shape, [1, 2, 2])
        XCTAssertEqual(s.scalars, [1, 2, 3, 4])
    }

    func testArgmaxAndSoftmaxCrossEntropyValue() {
        let logits = Tensor([[1, 3, 2], [0, 0, 5]])
        XCTAssertEqual(logits.argmax(axis: 1).scalars, [1, 2])
        let loss = logits.softmaxCrossEntropy(targets: Tensor([1, 0])).item
        let row0 = -log(exp(3.0) / (exp(1.0) + exp(3.0) + exp(2.0)))
        let row1 = -log(1 / (2 + exp(5.0)))
        XCTAssertEqual(Double(loss), (row0 + row1) / 2, accuracy: 1e-5)
    }

    /// Short rows (8 to 32 classes: one to four registers, the last one overlapping the one
    /// before for widths that are not multiples of 8) in blocks of 64 rows with a partial last
    /// block; validation's loss-only path gives the same. The kernel shifts a block's rows by
    /// its largest logit: rows far below it (every third, by 120) must come out as accurate.
    func testShortRowCrossEntropyMatchesDefinitionWithAndWithoutGradient() {
        for classes in [8, 13, 16, 20, 28, 32] {
            let rows = 130
            let values = (0..<(rows * classes)).map { i -> Float in
                let row = i / classes
                return Float((i * 37) % 101) * 0.07 - 3 + (row % 3 == 1 ? -120 : 0) + (row == 70 ? 60 : 0)
            }
            let targets = (0..<rows).map { Float(($0 * 11) % classes) }
            let logits = Tensor(shape: [rows, classes], scalars: values).requiringGrad()
            let loss = logits.softmaxCrossEntropy(targets: Tensor(targets))
            let lossOnly = GradientMode.withoutGradients { logits.softmaxCrossEntropy(targets: Tensor(targets)) }
            XCTAssertEqual(loss.item.bitPattern, lossOnly.item.bitPattern, "\(classes) classes")
            loss.backward()
            var expected = 0.0
            for r in 0..<rows {
                let row = values[(r * classes)..<((r + 1) * classes)].map(Double.init)
                let denominator = row.map { exp($0) }.reduce(0, +)
                expected -= log(exp(row[Int(targets[r])]) / denominator)
                for c in 0..<classes {
                    let gradient = (exp(row[c]) / denominator - (c == Int(targets[r]) ? 1 : 0)) / Double(rows)
                    XCTAssertEqual(Double(logits.grad!.scalars[r * classes + c]), gradient, accuracy: 1e-7,
                                   "\(classes) classes, row \(r), class \(c)")
                }
            }
            XCTAssertEqual(Double(loss.item), expected / Double(rows), accuracy: 1e-5, "\(classes) classes")
        }
    }

    /// The loss hands back the gradient it computed with its value for a unit seed; any other
    /// seed scales it.
    func testCrossEntropyGradientScalesWithTheSeed() {
        for classes in [28, 40] {  // the short-row and the general path
            let values = (0..<(70 * classes)).map { Float(($0 * 29) % 53) * 0.1 - 2 }
            let targets = Tensor((0..<70).map { Float(($0 * 7) % classes) })
            let unit = Tensor(shape: [70, classes], scalars: values).requiringGrad()
            unit.softmaxCrossEntropy(targets: targets).backward()
            let scaled = Tensor(shape: [70, classes], scalars: values).requiringGrad()
            scaled.softmaxCrossEntropy(targets: targets).backward(seed: Tensor(shape: [], scalars: [-2.5]))
            for (a, b) in zip(scaled.grad!.scalars, unit.grad!.scalars) { XCTAssertEqual(a, -2.5 * b, accuracy: 1e-7) }
            XCTAssertTrue(unit.grad!.scalars.contains { $0 < -1e-3 })
        }
    }

    func testSeededRandomIsReproducible() {
        Random.seed(42)
        let a = Tensor.randn([100])
        Random.seed(42)
        XCTAssertEqual(Tensor.randn([100]).scalars, a.scalars)
        let mean = a.scalars.reduce(0, +) / 100
        XCTAssertLessThan(abs(mean), 0.3)
    }

    func testBadShapesAreRejectedByBroadcasting() {
        XCTAssertNil(Broadcasting.shape([2, 3], [4]))
        XCTAssertEqual(Broadcasting.shape([2, 1, 3], [4, 1]), [2, 4, 3])
    }
}
