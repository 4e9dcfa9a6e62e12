import Foundation

extension Tensor {
    /// The mean cross-entropy between the softmax of these logits (`[rows, classes]`) and the
    /// integer class `targets` (`[rows]`), computed stably in one pass with its gradient.
    public func softmaxCrossEntropy(targets: Tensor) -> Tensor {
        require(rank == 2, "logits must be [rows, classes], got \(shape)")
        require(targets.count == shape[0], "\(targets.count) targets for \(shape[0]) rows")
        let (rows, classes) = (shape[0], shape[1])
        for index in targets.scalars {
            require(index >= 0 && Int(index) < classes && index == index.rounded(), "target \(index) out of 0..<\(classes)")
        }
        var probabilities = Tensor.uninitialized(count)
        // Each thread takes whole rows and sums its own part of the loss; the parts are added
        // in a fixed order, so the result does not depend on timing.
        var partialLosses = [Double](repeating: 0, count: 2)
        let targetIndices = targets.scalars
        scalars.withUnsafeBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { buffer in
                let p = buffer
                targetIndices.withUnsafeBufferPointer { targets in
                    partialLosses.withUnsafeMutableBufferPointer { partials in
                        let sums = partials
                        Parallelism.forEachPart(rows, minimumPerThread: max(1, 4096 / max(classes, 1))) { part in
                            sums[part.lowerBound == 0 ? 0 : 1] = Tensor.softmaxCrossEntropyRows(
                                part, classes: classes, logits: z, targets: targets, probabilities: p)
                        }
                    }
                }
            }
        }
        let total = partialLosses[0] + partialLosses[1]
        let loss = Float(total / Double(Swift.max(rows, 1)))
        return Tensor(shape: [], scalars: [loss], inputs: [self]) { [shape] g in
            // d loss / d z = (softmax(z) - onehot(target)) / rows.
            let scale = g.item / Float(rows)
            // One pass over the probabilities, split by rows across threads.
            var grad = Tensor.uninitialized(rows * classes)
            probabilities.withUnsafeBufferPointer { p in
                grad.withUnsafeMutableBufferPointer { buffer in
                    let out = buffer
                    targetIndices.withUnsafeBufferPointer { targets in
                        Parallelism.forEachPart(rows, minimumPerThread: max(1, 4096 / max(classes, 1))) { part in
                            for i in (part.lowerBound * classes)..<(part.upperBound * classes) { out[i] = p[i] * scale }
                            for r in part {
                                let i = r * classes + Int(targets[r])
                                out[i] = (p[i] - 1) * scale
                            }
                        }
                    }
                }
            }
            return [Tensor(shape: shape, scalars: grad)]
        }
    }

    /// Softmax probabilities of rows `part` into `p`, returning the sum of their losses.
    private static func softmaxCrossEntropyRows(_ part: Range<Int>, classes: Int, logits z: UnsafeBufferPointer<Float>,
                                                targets: UnsafeBufferPointer<Float>,
                                                probabilities p: UnsafeMutableBufferPointer<Float>) -> Double {
        var total: Double = 0
        var peaks = [Float](repeating: -Float.infinity, count: part.count)
        let logits = z.baseAddress!, probabilities = p.baseAddress!
        for r in part {
            let base = r * classes
            let peak = RowReductions.max(logits + base, count: classes)
            peaks[r - part.lowerBound] = peak
            for c in 0..<classes { probabilities[base + c] = logits[base + c] - peak }
        }
        // One long loop over the part vectorises; short per-row loops did not.
        for i in (part.lowerBound * classes)..<(part.upperBound * classes) { probabilities[i] = FastMath.exp(probabilities[i]) }
        for r in part {
            let base = r * classes
            let denominator = RowReductions.sum(probabilities + base, count: classes)
            let inverse = 1 / denominator
            for c in 0..<classes { probabilities[base + c] *= inverse }
            total += Double(peaks[r - part.lowerBound] + Foundation.logf(denominator) - logits[base + Int(targets[r])])
        }
        return total
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
