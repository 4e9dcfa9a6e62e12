/// The leaf gradients of backward passes run on one thread, kept out of the leaves' `grad`
/// until they are added there (``addToLeaves()``): two halves of a batch are differentiated
/// at once, and their gradients added in a fixed order afterwards.
final class GradientSink {
    private var entries: [(leaf: Tensor, gradient: Tensor)] = []
    private var positions: [ObjectIdentifier: Int] = [:]

    /// Adds `gradient` to what `leaf` has received so far.
    func add(_ gradient: Tensor, to leaf: Tensor) {
        if let position = positions[ObjectIdentifier(leaf)] {
            entries[position].gradient.addInPlace(gradient)
        } else {
            positions[ObjectIdentifier(leaf)] = entries.count
            entries.append((leaf, leaf.ownedGradient(gradient)))
        }
    }

    /// Adds each collected gradient, times `scale`, to its leaf's `grad`, in the order the
    /// leaves were reached.
    func addToLeaves(scaledBy scale: Float = 1) {
        for (leaf, gradient) in entries { leaf.addToGradient(scale == 1 ? gradient : gradient * scale) }
    }
}
