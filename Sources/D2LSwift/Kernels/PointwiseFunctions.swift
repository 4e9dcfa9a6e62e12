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
    /// Whether ``derivative(_:_:)`` reads x; when it does not, a deferred input is never
    /// computed just for the gradient.
    static var derivativeReadsInput: Bool { get }
}

extension PointwiseFunction {
    static var derivativeReadsInput: Bool { true }
}

enum TanhFunction: PointwiseFunction {
    static var derivativeReadsInput: Bool { false }
    @inline(__always) static func value(_ x: Float) -> Float { FastMath.tanh(x) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}

enum ReLUFunction: PointwiseFunction {
    @inline(__always) static func value(_ x: Float) -> Float { max(x, 0) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}

enum SigmoidFunction: PointwiseFunction {
    static var derivativeReadsInput: Bool { false }
    @inline(__always) static func value(_ x: Float) -> Float { 1 / (1 + FastMath.exp(-x)) }
    @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}

enum ExpFunction: PointwiseFunction {
    static var derivativeReadsInput: Bool { false }
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
