extension Kernels {
    /// `F.value` of each element of `x`; a deferred sum is added up inside the same loop.
    static func map<F: PointwiseFunction>(_ x: Tensor, _: F.Type) -> [Float] {
        guard case let .sum(sum)? = x.deferred else { return map(x.scalars, F.self) }
        if sum.terms.count == 3, case let .gathered(indices, table) = sum.terms[0],
           case let .rows(bias, biasOffset, 0) = sum.terms[1], case let .product(a, paddedB, depth) = sum.terms[2] {
            return mapRecurrentStep(rows: sum.rows, width: sum.width, indices: indices, table: table,
                                    bias: bias, biasOffset: biasOffset, a: a, paddedB: paddedB, depth: depth, F.self)
        }
        return evaluate(sum) { values, range in
            for i in range { values[i] = F.value(values[i]) }
        }
    }

    /// `F.value(lookup + bias + a b)`, the recurrent step `tanh(X W_xh + b_h + H W_hh)` with X
    /// one-hot: by blocks of rows, the product is stored, then one loop adds the looked-up row
    /// and the bias to it and applies `F`. Copying the rows, adding the bias, adding the
    /// product and applying `F` were four passes; the additions keep their order, so the bits
    /// are the same.
    private static func mapRecurrentStep<F: PointwiseFunction>(
        rows: Int, width: Int, indices: [Int32], table: [Float], bias: [Float], biasOffset: Int,
        a: [Float], paddedB: [Float], depth: Int, _: F.Type) -> [Float] {
        let blockRows = 32
        return [Float](unsafeUninitializedCapacity: rows * width) { buffer, initialized in
            let out = buffer.baseAddress!
            indices.withUnsafeBufferPointer { indices in
                table.withUnsafeBufferPointer { table in
                    bias.withUnsafeBufferPointer { bias in
                        a.withUnsafeBufferPointer { a in
                            paddedB.withUnsafeBufferPointer { b in
                                let b0 = bias.baseAddress! + biasOffset
                                Parallelism.forEachPart(rows, minimumPerThread: max(1, 4096 / max(width, 1))) { part in
                                    for start in stride(from: part.lowerBound, to: part.upperBound, by: blockRows) {
                                        let end = min(start + blockRows, part.upperBound)
                                        NarrowProduct.multiply(a.baseAddress! + start * depth, lda: depth, padded: b.baseAddress!,
                                                               into: out + start * width, ldc: width, m: end - start,
                                                               n: width, k: depth)
                                        for r in start..<end {
                                            let row = out + r * width, looked = table.baseAddress! + Int(indices[r]) * width
                                            for j in 0..<width { row[j] = F.value((looked[j] + b0[j]) + row[j]) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = rows * width
        }
    }

    /// The gradient through `F`, `g * F.derivative(x, y)`; a deferred `g` (gradients from
    /// several uses, not yet added) is added up inside the same loop.
    static func gradient<F: PointwiseFunction>(_ g: Tensor, x: [Float], y: [Float], _: F.Type) -> [Float] {
        guard case let .sum(sum)? = g.deferred else { return gradient(g.scalars, x: x, y: y, F.self) }
        if sum.terms.count == 2, case let .rows(a, aOffset, aStride) = sum.terms[0],
           case let .rows(b, bOffset, bStride) = sum.terms[1], aStride == sum.width, bStride == sum.width {
            // Two whole matrices (a recurrent state's gradients from the output layer and from
            // the next step): added and scaled in one loop, the same operations in the same
            // order as adding the rows first.
            return gradient(sum: a, aOffset, b, bOffset, count: sum.rows * sum.width, x: x, y: y, F.self)
        }
        return x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                evaluate(sum) { values, range in
                    for i in range { values[i] *= F.derivative(xs[i], ys[i]) }
                }
            }
        }
    }

    /// The values of `sum`, each block of rows transformed by `finish` (given the elements'
    /// range) while it is still in cache. Split across threads by rows.
    private static func evaluate(_ sum: DeferredSum,
                                 finish: (UnsafeMutablePointer<Float>, Range<Int>) -> Void) -> [Float] {
        let width = sum.width, count = sum.rows * width
        let blockRows = sum.blockRows
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = buffer.baseAddress!
            sum.withReader { reader in
                Parallelism.forEachPart(sum.rows, minimumPerThread: max(1, 4096 / max(width, 1))) { part in
                    for start in stride(from: part.lowerBound, to: part.upperBound, by: blockRows) {
                        let end = min(start + blockRows, part.upperBound)
                        reader.write(start..<end, into: out + start * width, rowStride: width)
                        finish(out, (start * width)..<(end * width))
                    }
                }
            }
            initialized = count
        }
    }

    /// `F.value` of each element, split across threads.
    static func map<F: PointwiseFunction>(_ x: [Float], _: F.Type) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { buffer, initialized in
            // A copy of the buffer, not the inout parameter: captured inout storage would be
            // reloaded on every iteration and block vectorisation.
            let out = buffer
            x.withUnsafeBufferPointer { input in
                Parallelism.forEachPart(input.count) { part in
                    for i in part { out[i] = F.value(input[i]) }
                }
            }
            initialized = x.count
        }
    }

    /// `(a + b) * F.derivative(x, y)` over `count` elements of `a` and `b` from their offsets,
    /// split across threads.
    private static func gradient<F: PointwiseFunction>(sum a: [Float], _ aOffset: Int, _ b: [Float], _ bOffset: Int,
                                                       count: Int, x: [Float], y: [Float], _: F.Type) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = buffer
            a.withUnsafeBufferPointer { aBuffer in
                b.withUnsafeBufferPointer { bBuffer in
                    x.withUnsafeBufferPointer { xs in
                        y.withUnsafeBufferPointer { ys in
                            let (p, q) = (aBuffer.baseAddress! + aOffset, bBuffer.baseAddress! + bOffset)
                            Parallelism.forEachPart(count) { part in
                                for i in part { out[i] = (p[i] + q[i]) * F.derivative(xs[i], ys[i]) }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// The gradient through `F`: `g * F.derivative(x, y)`, split across threads.
    static func gradient<F: PointwiseFunction>(_ g: [Float], x: [Float], y: [Float], _: F.Type) -> [Float] {
        [Float](unsafeUninitializedCapacity: g.count) { buffer, initialized in
            let out = buffer
            g.withUnsafeBufferPointer { gs in
                x.withUnsafeBufferPointer { xs in
                    y.withUnsafeBufferPointer { ys in
                        Parallelism.forEachPart(gs.count) { part in
                            for i in part { out[i] = gs[i] * F.derivative(xs[i], ys[i]) }
                        }
                    }
                }
            }
            initialized = g.count
        }
    }

    /// `F` between each element of `full` and the matching element of `block`, which repeats
    /// along the leading axes (a bias; equal shapes when the counts match). `blockFirst` says
    /// which operand comes first. Split across threads by whole repeats of `block`.
    static func combine<F: BinaryFunction>(_ full: [Float], _ block: [Float], blockFirst: Bool, _: F.Type) -> [Float] {
        [Float](unsafeUninitializedCapacity: full.count) { buffer, initialized in
            let out = buffer
            full.withUnsafeBufferPointer { xs in
                block.withUnsafeBufferPointer { ys in
                    let width = ys.count
                    Parallelism.forEachPart(xs.count / width, minimumPerThread: max(1, 4096 / width)) { rows in
                        for r in rows {
                            let base = r * width
                            // Loop-invariant branch: the optimiser unswitches it.
                            if blockFirst {
                                for j in 0..<width { out[base + j] = F.apply(ys[j], xs[base + j]) }
                            } else {
                                for j in 0..<width { out[base + j] = F.apply(xs[base + j], ys[j]) }
                            }
                        }
                    }
                }
            }
            initialized = full.count
        }
    }
}
