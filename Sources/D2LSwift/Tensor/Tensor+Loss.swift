import Foundation

extension Tensor {
    /// The mean cross-entropy between the softmax of these logits (`[rows, classes]`) and the
    /// integer class `targets` (`[rows]`), computed stably in one pass with its gradient.
    ///
    /// The pass writes the gradient itself, `(softmax(z) - onehot(target)) / rows`: backward
    /// with a unit seed (the trainer's) then returns it without another pass over the rows.
    public func softmaxCrossEntropy(targets: Tensor) -> Tensor {
        require(rank == 2, "logits must be [rows, classes], got \(shape)")
        require(targets.count == shape[0], "\(targets.count) targets for \(shape[0]) rows")
        let (rows, classes) = (shape[0], shape[1])
        let targetIndices = Tensor.classIndices(targets.scalars, classes: classes, what: "target")
        // Only training needs the gradient: validation computes the loss alone and writes no
        // 3.6 MB buffer (rows of 8-32 classes; other widths keep it).
        let shortRows = (8...32).contains(classes)
        let keepsProbabilities = (GradientMode.isEnabled && requiresGrad) || !shortRows
        let rowShare = 1 / Float(Swift.max(rows, 1))
        if shortRows, case let .stacked(stacked)? = deferred, stacked.width == classes,
           stacked.rows * stacked.parts.count == rows {
            return stackedSoftmaxCrossEntropy(stacked, targets: targetIndices, keepsGradient: keepsProbabilities,
                                              rowShare: rowShare)
        }
        var unitGradient = Tensor.uninitialized(keepsProbabilities ? count : 0)
        // Each thread takes whole rows and sums its own part of the loss; the parts are added
        // in a fixed order, so the result does not depend on timing.
        var partialLosses = [Double](repeating: 0, count: 2)
        scalars.withUnsafeBufferPointer { z in
            unitGradient.withUnsafeMutableBufferPointer { buffer in
                let p = buffer
                targetIndices.withUnsafeBufferPointer { targets in
                    partialLosses.withUnsafeMutableBufferPointer { partials in
                        let sums = partials
                        Parallelism.forEachPart(rows, minimumPerThread: max(1, 4096 / max(classes, 1))) { part in
                            sums[part.lowerBound == 0 ? 0 : 1] = shortRows
                                ? Tensor.softmaxCrossEntropyShortRows(
                                    part, classes: classes, logits: z.baseAddress!, targets: targets,
                                    gradient: keepsProbabilities ? p.baseAddress! : nil, rowShare: rowShare)
                                : Tensor.softmaxCrossEntropyRows(
                                    part, classes: classes, logits: z, targets: targets, gradient: p, rowShare: rowShare)
                        }
                    }
                }
            }
        }
        let total = partialLosses[0] + partialLosses[1]
        let loss = Float(total / Double(Swift.max(rows, 1)))
        return Tensor(shape: [], scalars: [loss], inputs: [self]) { [shape] g in
            let unit = Tensor(shape: shape, scalars: unitGradient)
            return [g.item == 1 ? unit : unit * g.item]
        }
    }

    /// ``softmaxCrossEntropy(targets:)`` of logits kept as stacked parts (the chapter's output
    /// layer, one part per time step): each part's logits are computed by blocks of rows into
    /// a scratch block that stays in L1, where the loss reads them, and the gradient is kept
    /// as one matrix per part, which is what the parts' own backward reads. The rows are taken
    /// part by part, so the loss is the same sum in another order (equal up to rounding).
    private func stackedSoftmaxCrossEntropy(_ stacked: StackedRows, targets: [Int32], keepsGradient: Bool,
                                            rowShare: Float) -> Tensor {
        let n = stacked.parts.count, outer = stacked.rows, classes = stacked.width
        // Row o of part k is row o * n + k of the logits: the targets gathered part by part,
        // written in order (scattered, each store was to another cache line: 2% of an epoch).
        let partTargets = [Int32](unsafeUninitializedCapacity: outer * n) { gathered, initialized in
            targets.withUnsafeBufferPointer { targets in
                for k in 0..<n { for o in 0..<outer { gathered[k * outer + o] = targets[o * n + k] } }
            }
            initialized = outer * n
        }
        let blockRows = 64
        var gradients = [[Float]](repeating: [], count: keepsGradient ? n : 0)
        var partialLosses = [Double](repeating: 0, count: 2)
        stacked.withReaders { readers in
            partTargets.withUnsafeBufferPointer { targets in
                gradients.withUnsafeMutableBufferPointer { gradients in
                    partialLosses.withUnsafeMutableBufferPointer { sums in
                        Parallelism.forEachPart(n, minimumPerThread: 1) { parts in
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * blockRows * classes) { scratch in
                                let logits = scratch.baseAddress!, probabilities = logits + blockRows * classes
                                var total: Double = 0
                                for k in parts {
                                    func lossOfBlocks(gradient: UnsafeMutablePointer<Float>?) {
                                        for start in stride(from: 0, to: outer, by: blockRows) {
                                            let end = Swift.min(start + blockRows, outer)
                                            readers[k].write(start..<end, into: logits, rowStride: classes)
                                            let blockTargets = UnsafeBufferPointer(start: targets.baseAddress! + k * outer + start,
                                                                                   count: end - start)
                                            total += Tensor.softmaxCrossEntropyShortRows(
                                                0..<(end - start), classes: classes, logits: logits, targets: blockTargets,
                                                gradient: gradient.map { $0 + start * classes } ?? probabilities,
                                                rowShare: rowShare)
                                        }
                                    }
                                    if keepsGradient {
                                        gradients[k] = [Float](unsafeUninitializedCapacity: outer * classes) { buffer, initialized in
                                            lossOfBlocks(gradient: buffer.baseAddress!)
                                            initialized = outer * classes
                                        }
                                    } else {
                                        lossOfBlocks(gradient: nil)
                                    }
                                }
                                sums[parts.lowerBound == 0 ? 0 : 1] = total
                            }
                        }
                    }
                }
            }
        }
        let loss = Float((partialLosses[0] + partialLosses[1]) / Double(Swift.max(outer * n, 1)))
        return Tensor(shape: [], scalars: [loss], inputs: [self]) { [shape, gradients] g in
            let unit = Tensor(shape: shape, deferred: .stacked(StackedRows(matrices: gradients, rows: outer, width: classes)))
            return [g.item == 1 ? unit : unit * g.item]
        }
    }

    /// The unit-seed gradient of rows `part` into `p` (their softmax minus the target's one-hot,
    /// times `rowShare`), returning the sum of their losses.
    private static func softmaxCrossEntropyRows(_ part: Range<Int>, classes: Int, logits z: UnsafeBufferPointer<Float>,
                                                targets: UnsafeBufferPointer<Int32>,
                                                gradient p: UnsafeMutableBufferPointer<Float>, rowShare: Float) -> Double {
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
            let inverse = rowShare / denominator
            for c in 0..<classes { probabilities[base + c] *= inverse }
            probabilities[base + Int(targets[r])] -= rowShare
            total += Double(peaks[r - part.lowerBound] + Foundation.logf(denominator) - logits[base + Int(targets[r])])
        }
        return total
    }

    /// ``softmaxCrossEntropyRows`` for rows of 8 to 32 classes (a character vocabulary), by
    /// blocks of 64 rows that stay in L1: one long loop takes the exponentials of the block's
    /// logits less the block's largest (the optimiser vectorises and interleaves it; a call per
    /// register did not overlap), then each row is summed and scaled in four eight-lane
    /// registers. The last register starts at `classes - 8` and may overlap the one before: it
    /// then weighs the shared lanes by 0 in the sum, and stores the same values twice. Unused
    /// registers repeat the last. Reductions go by halves: Swift's `sum()` and masked selects
    /// compile to scalar code and mask-register moves here, and 16-lane halves (`lowHalf`) to a
    /// loop through memory.
    private static func softmaxCrossEntropyShortRows(_ part: Range<Int>, classes: Int, logits: UnsafePointer<Float>,
                                                     targets: UnsafeBufferPointer<Int32>,
                                                     gradient: UnsafeMutablePointer<Float>?, rowShare: Float) -> Double {
        let chunks = (classes + 7) / 8, last = classes - 8
        let offsets = (0..<4).map { Swift.min(8 * $0, last) }
        let lane = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        // How much each chunk's lanes count in the sum: 1 for lanes no earlier chunk covers, else
        // 0 (multiplied in: a mask would cost conversions between mask and vector registers).
        let weights = (0..<4).map { i in
            SIMD8<Float>(repeating: 0).replacing(with: 1, where: lane .>= SIMD8(repeating: Float(i < chunks ? 8 * i - offsets[i] : 8)))
        }
        let (w1, w2, w3) = (weights[1], weights[2], weights[3])
        let (o0, o1, o2, o3) = (offsets[0], offsets[1], offsets[2], offsets[3])
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
        }
        @inline(__always) func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
        }
        // A row's four registers; all are loaded before any is stored, as they may overlap.
        @inline(__always) func loadRow(_ p: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            (load(p + o0), load(p + o1), load(p + o2), load(p + o3))
        }
        @inline(__always) func sum(_ e: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) -> Float {
            let eight = e.0.addingProduct(e.1, w1).addingProduct(e.2, w2).addingProduct(e.3, w3)
            let four = eight.lowHalf + eight.highHalf
            let two = four.lowHalf + four.highHalf
            return two[0] + two[1]
        }
        let blockRows = 64
        // Without a gradient buffer, each block is computed in this one.
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: gradient == nil ? blockRows * classes : 0)
        defer { scratch.deallocate() }
        var total: Double = 0
        for start in stride(from: part.lowerBound, to: part.upperBound, by: blockRows) {
            let end = Swift.min(start + blockRows, part.upperBound)
            let block = gradient.map { $0 + start * classes } ?? scratch
            let first = logits + start * classes, count = (end - start) * classes
            // The block's largest logit keeps every exponential at most 1. A row whose own
            // maximum is far below it (its sum of exponentials under 2^-60) is redone with that
            // maximum; otherwise shifting by the block's or the row's changes only rounding.
            let blockPeak = RowReductions.max(first, count: count)
            for i in 0..<count { block[i] = FastMath.expOfNonPositive(first[i] - blockPeak) }
            // The block's logarithms as one: the product of its rows' sums, its binary exponent
            // moved out every 16 rows (exactly) so that it stays inside Double's range.
            var denominators = 1.0, exponents = 0
            for r in start..<end {
                let row = logits + r * classes, out = block + (r - start) * classes
                var e = loadRow(out), peak = blockPeak, denominator = sum(e)
                if denominator < 0x1p-60 {
                    peak = RowReductions.max(row, count: classes)
                    for c in 0..<classes { out[c] = FastMath.expOfNonPositive(row[c] - peak) }
                    e = loadRow(out)
                    denominator = sum(e)
                }
                let inverse = rowShare / denominator
                store(e.0 * inverse, out + o0)
                store(e.1 * inverse, out + o1)
                store(e.2 * inverse, out + o2)
                store(e.3 * inverse, out + o3)
                let target = Int(targets[r])
                out[target] -= rowShare
                denominators *= Double(denominator)
                if (r - start) % 16 == 15 {
                    exponents += Int(denominators.exponent)
                    denominators = denominators.significand
                }
                total += Double(peak - row[target])
            }
            total += Foundation.log(denominators) + Double(exponents) * M_LN2
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
