/// The record of one operation in the computation graph: its inputs and how to push a gradient
/// back to them.
final class GradientNode {
    let inputs: [Tensor]
    let backward: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

/// Switches graph recording on and off, as `torch.no_grad()` does, for the calling thread.
public enum GradientMode {
    /// Whether operations on this thread currently record how to differentiate themselves.
    public internal(set) static var isEnabled: Bool {
        get { ThreadContext.current.recordsGradients }
        set { ThreadContext.current.recordsGradients = newValue }
    }

    /// Runs `body` without recording a graph (evaluation, prediction, parameter updates).
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        let previous = isEnabled
        isEnabled = false
        defer { isEnabled = previous }
        return try body()
    }
}
