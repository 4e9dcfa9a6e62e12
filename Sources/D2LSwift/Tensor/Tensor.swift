import Foundation

/// An n-dimensional array of `Float`, stored contiguously in row-major order, that records how
/// it was computed so that ``backward()`` can differentiate through it.
///
/// `Tensor` is a reference type, like PyTorch's: a parameter is one object whose `grad` the
/// optimiser reads and whose `scalars` it updates in place.
///
/// ```swift
/// let w = Tensor.randn([3, 2]).requiringGrad()
/// let loss = (x.matmul(w)).tanh().sum()
/// loss.backward()
/// print(w.grad!.shape)   // [3, 2]
/// ```
public final class Tensor {
    /// The size of each axis, outermost first.
    public let shape: [Int]
    /// The number of elements.
    public let count: Int
    /// The elements in row-major order.
    public var scalars: [Float] {
        get { materialize(); return storage }
        _modify { materialize(); forgetDerivedValues(); yield &storage }
        set { storage = newValue; deferred = nil; forgetDerivedValues() }
    }
    /// The elements, once computed; empty while ``deferred`` holds how to compute them.
    private var storage: [Float]
    /// How to compute the elements when an operation deferred them (see ``DeferredValues``).
    private(set) var deferred: DeferredValues?
    /// The gradient of the last ``backward()`` with respect to this tensor, for tensors that
    /// require one.
    public var grad: Tensor?
    /// Whether gradients flow to (or through) this tensor.
    public internal(set) var requiresGrad: Bool
    /// How this tensor was computed from others; `nil` for leaves.
    var node: GradientNode?
    /// When the tensor is a one-hot encoding, the class index of each row, so that a matrix
    /// product with it can be computed as a row lookup (same result, a fraction of the work).
    var oneHotIndices: [Int32]?
    /// This matrix laid out as a narrow product's right factor, as is and transposed, kept
    /// while the values stay as they are (see ``narrowFactor(transposed:)``).
    var narrowFactors = NarrowFactors()

    /// Creates a tensor from its shape and row-major elements.
    public init(shape: [Int], scalars: [Float]) {
        require(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        require(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.count = scalars.count
        self.storage = scalars
        self.requiresGrad = false
    }

    /// A tensor whose values are computed when first read.
    init(shape: [Int], deferred: DeferredValues) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = []
        self.deferred = deferred
        self.requiresGrad = false
    }

    /// Creates a tensor that results from an operation on `inputs`; `backward` maps the gradient
    /// of the result to the gradient of each input.
    convenience init(shape: [Int], scalars: [Float], inputs: [Tensor],
                     backward: @escaping (Tensor) -> [Tensor?]) {
        self.init(shape: shape, scalars: scalars)
        record(inputs: inputs, backward: backward)
    }

    /// Creates a tensor with deferred values that results from an operation on `inputs`.
    convenience init(shape: [Int], deferred: DeferredValues, inputs: [Tensor],
                     backward: @escaping (Tensor) -> [Tensor?]) {
        self.init(shape: shape, deferred: deferred)
        record(inputs: inputs, backward: backward)
    }

    private func record(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        if GradientMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            requiresGrad = true
            node = GradientNode(inputs: inputs, backward: backward)
        }
    }

    /// Drops what was derived from the values, before they change.
    @inline(__always)
    private func forgetDerivedValues() {
        oneHotIndices = nil
        if !narrowFactors.isEmpty { NarrowFactors.withLock { narrowFactors = NarrowFactors() } }
    }

    @inline(__always)
    private func materialize() {
        if let deferred {
            storage = deferred.evaluate(count: count)
            self.deferred = nil
        }
    }

    /// A 1-D tensor holding `values`.
    public convenience init(_ values: [Float]) {
        self.init(shape: [values.count], scalars: values)
    }

    /// A 2-D tensor from its rows.
    public convenience init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == columns }, "ragged rows")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// The number of axes.
    public var rank: Int { shape.count }
    /// The value of a tensor holding exactly one element.
    public var item: Float {
        require(count == 1, "item needs a tensor of one element, shape is \(shape)")
        return scalars[0]
    }

    /// Marks this leaf tensor as a parameter whose gradient ``backward()`` fills in.
    @discardableResult
    public func requiringGrad() -> Tensor {
        require(node == nil, "only leaf tensors can be made to require a gradient")
        requiresGrad = true
        return self
    }

    /// A copy of the values with no link to the graph that computed them.
    public func detached() -> Tensor {
        let copy = deferred.map { Tensor(shape: shape, deferred: $0) } ?? Tensor(shape: shape, scalars: storage)
        copy.oneHotIndices = oneHotIndices
        return copy
    }
}

extension Tensor: CustomStringConvertible {
    /// The values laid out by axis, as NumPy prints them, with the shape.
    public var description: String {
        func format(_ value: Float) -> String {
            if value == value.rounded() && abs(value) < 1e7 { return String(Int(value)) + "." }
            return String(format: "%.4f", value)
        }
        func render(axis: Int, offset: Int, indent: String) -> String {
            if axis == rank { return format(scalars[offset]) }
            let stride = shape[(axis + 1)...].reduce(1, *)
            let items = (0..<shape[axis]).map {
                render(axis: axis + 1, offset: offset + $0 * stride, indent: indent + " ")
            }
            let separator = axis == rank - 1 ? ", " : ",\n" + indent + " "
            return "[" + items.joined(separator: separator) + "]"
        }
        return "tensor(" + render(axis: 0, offset: 0, indent: "       ") + ", shape: \(shape))"
    }
}
