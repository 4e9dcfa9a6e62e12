import Foundation

/// A scalar function applied to every element, with its derivative.
///
/// Functions are types rather than closures so that the loops applying them are specialised at
/// compile time: a closure passed through the thread pool is an opaque call per element, which
/// the optimiser can neither inline nor vectorise.
protocol PointwiseFunction {
    static func value(_ x: Float) -> Float
    /// dy/dx, given x and y = value(x).
    static func derivative(_ x: Float, _ y: Float) -> Float
}

enum TanhFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { FastMath.tanh(x) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}

enum ReLUFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { max(x, 0) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}

enum SigmoidFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { 1 / (1 + FastMath.exp(-x)) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}

enum ExpFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { FastMath.exp(x) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { y }
}

enum LogFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 1 / x }
}

enum SquareRootFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}

enum SquareFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { x * x }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 2 * x }
}

enum NegateFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { -x }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { -1 }
}

/// A binary arithmetic operation, as a type for the same reason as ``PointwiseFunction``.
protocol BinaryFunction {
    static func apply(_ a: Float, _ b: Float) -> Float
}

enum AddFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubtractFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MultiplyFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivideFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }

extension Kernels {
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
