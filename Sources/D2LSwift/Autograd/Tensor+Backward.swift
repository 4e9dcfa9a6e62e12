extension Tensor {
    /// Differentiates this scalar with respect to every tensor that requires a gradient and was
    /// used to compute it, adding the result to each leaf's ``grad``.
    ///
    /// Intermediate gradients are freed as soon as they have been pushed to their inputs.
    public func backward() {
        require(count == 1, "backward() needs a scalar, shape is \(shape)")
        backward(seed: Tensor(shape: shape, scalars: [1]))
    }

    /// Back-propagates `seed`, the gradient of some scalar with respect to this tensor.
    public func backward(seed: Tensor) {
        require(seed.shape == shape, "seed shape \(seed.shape) != tensor shape \(shape)")
        guard requiresGrad else { return }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for tensor in order.reversed() {
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
            guard let node = tensor.node else {
                tensor.accumulateGradient(gradient)
                continue
            }
            let inputGradients = GradientMode.withoutGradients { node.backward(gradient) }
            for (input, inputGradient) in zip(node.inputs, inputGradients) {
                guard input.requiresGrad, let inputGradient else { continue }
                let key = ObjectIdentifier(input)
                if let existing = pending[key] {
                    // Added when the input's own backward reads it, in the same loop.
                    if case let .placed(values, offset)? = inputGradient.deferred {
                        // Only the slice's elements change: the zeros around it add nothing.
                        existing.addInPlace(values, at: offset)
                    } else if let sum = Tensor.deferredSum(existing, inputGradient) {
                        pending[key] = Tensor(shape: existing.shape, deferred: .sum(sum))
                    } else {
                        existing.addInPlace(inputGradient)
                    }
                } else {
                    // The gradient may be shared with another input (e.g. `x + x`): own it.
                    pending[key] = isUniquelyReferenced(inputGradient, among: inputGradients)
                        ? inputGradient : inputGradient.detached()
                }
            }
        }
    }

    private func accumulateGradient(_ gradient: Tensor) {
        if let sink = ThreadContext.current.gradientSink {
            sink.add(gradient, to: self)
        } else {
            addToGradient(gradient)
        }
    }

    /// Adds `gradient` to ``grad``, or makes it the gradient.
    func addToGradient(_ gradient: Tensor) {
        if let grad {
            grad.addInPlace(gradient)
        } else {
            grad = ownedGradient(gradient)
        }
    }

    /// `gradient` itself when nothing else can change it, else a copy.
    func ownedGradient(_ gradient: Tensor) -> Tensor {
        gradient.node == nil && gradient !== self ? gradient : gradient.detached()
    }

    /// Every tensor reachable from this one, inputs before the tensors computed from them.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: an RNN unrolled over many steps is a deep graph.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    private func isUniquelyReferenced(_ tensor: Tensor, among others: [Tensor?]) -> Bool {
        // Counted in place: filtering would allocate an array for every edge of the graph.
        var count = 0
        for other in others where other === tensor { count += 1 }
        return count == 1
    }

    /// Adds `values` to this tensor's elements from `offset` on.
    func addInPlace(_ values: [Float], at offset: Int) {
        require(offset >= 0 && offset + values.count <= count, "gradient slice out of range")
        Kernels.add(values, into: &scalars, at: offset)
    }

    /// Adds `other` (same shape) to this tensor's values.
    func addInPlace(_ other: Tensor) {
        require(other.shape == shape, "gradient shape \(other.shape) != \(shape)")
        Kernels.add(other.scalars, into: &scalars)
    }
}
