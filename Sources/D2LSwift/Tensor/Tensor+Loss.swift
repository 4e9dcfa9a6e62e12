import Foundation

extension Tensor {
    /// The mean cross-entropy between the softmax of these logits (`[rows, classes]`) and the
    /// integer class `targets` (`[rows]`), computed stably in one pass with its gradient.
    public func softmaxCrossEntropy(targets: Tensor) -> Tensor {
        require(rank == 2, "logits must be [rows, classes], got \(shape)")
        require(targets.count == shape[0], "\(targets.count) targets for \(shape[0]) rows")
        let (rows, classes) = (shape[0], shape[1])
        var probabilities = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        var total: Double = 0
        let targetIndices = targets.scalars
        scalars.withUnsafeBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { p in
                var peaks = [Float](repeating: -Float.infinity, count: rows)
                for r in 0..<rows {
                    let base = r * classes
                    var peak = -Float.infinity
                    for c in 0..<classes { peak = Swift.max(peak, z[base + c]) }
                    peaks[r] = peak
                    for c in 0..<classes { p[base + c] = z[base + c] - peak }
                }
                // One long loop over the whole matrix vectorises; short per-row loops did not.
                for i in 0..<p.count { p[i] = FastMath.exp(p[i]) }
                for r in 0..<rows {
                    let base = r * classes
                    var denominator: Float = 0
                    for c in 0..<classes { denominator += p[base + c] }
                    let inverse = 1 / denominator
                    for c in 0..<classes { p[base + c] *= inverse }
                    let target = Int(targetIndices[r])
                    require(target >= 0 && target < classes, "target \(target) out of 0..<\(classes)")
                    total += Double(peaks[r] + Foundation.logf(denominator) - z[base + target])
                }
            }
        }
        let loss = Float(total / Double(Swift.max(rows, 1)))
        return Tensor(shape: [], scalars: [loss], inputs: [self]) { [shape] g in
            // d loss / d z = (softmax(z) - onehot(target)) / rows.
            let scale = g.item / Float(rows)
            var grad = probabilities
            grad.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows { out[r * classes + Int(targetIndices[r])] -= 1 }
                for i in 0..<out.count { out[i] *= scale }
            }
            return [Tensor(shape: shape, scalars: grad)]
        }
    }

    /// Softmax along the last axis (no gradient: used for sampling).
    public func softmax() -> Tensor {
        let classes = shape.last ?? 1
        var values = scalars
        for start in stride(from: 0, to: count, by: classes) {
            let row = start..<(start + classes)
            let peak = values[row].max() ?? 0
            var sum: Float = 0
            for i in row { values[i] = Foundation.expf(values[i] - peak); sum += values[i] }
            for i in row { values[i] /= sum }
        }
        return Tensor(shape: shape, scalars: values)
    }
}
