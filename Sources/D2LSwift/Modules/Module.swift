/// The base of every model: it finds its parameters by reflection, reports its
/// hyper-parameters, and records the metrics it plots during training (`d2l.Module`).
///
/// A subclass declares its parameters as stored `Tensor` properties made with
/// `requiringGrad()`, and sub-modules as stored `Module` properties; nothing needs registering.
open class Module {
    /// The learning rate the trainer's optimiser uses for this model.
    public var lr: Float
    /// Where ``plot(_:_:train:)`` records points; the trainer reads it.
    public let board = ProgressBoard()

    /// Creates a module trained with learning rate `lr`.
    public init(lr: Float = 0.01) {
        self.lr = lr
    }

    /// The parameters as ``Trainer/fit(_:_:)`` found them when it started; `nil` outside it.
    private var parametersDuringFit: [Tensor]?

    /// Runs `body` (a training run) with ``parameters()`` answering from one look at the module:
    /// finding them by reflection costs about 0.1 ms, and the chapter's gradient clipping asks
    /// at every step, while the two training threads wait.
    func withParametersFixed<R>(_ body: () throws -> R) rethrows -> R {
        let outer = parametersDuringFit
        parametersDuringFit = parameters()
        defer { parametersDuringFit = outer }
        return try body()
    }

    /// Every tensor requiring a gradient held by this module or its sub-modules, each once, in
    /// declaration order. While ``Trainer/fit(_:_:)`` runs, the list found when it started.
    public func parameters() -> [Tensor] {
        if let parametersDuringFit { return parametersDuringFit }
        var seen = Set<ObjectIdentifier>()
        var found: [Tensor] = []
        func visit(_ value: Any) {
            if let tensor = value as? Tensor {
                if tensor.requiresGrad, seen.insert(ObjectIdentifier(tensor)).inserted { found.append(tensor) }
            } else if let module = value as? Module {
                guard seen.insert(ObjectIdentifier(module)).inserted else { return }
                module.forEachStoredProperty { visit($1) }
            } else {
                let mirror = Mirror(reflecting: value)
                if mirror.displayStyle == .optional || mirror.displayStyle == .collection {
                    for child in mirror.children { visit(child.value) }
                }
            }
        }
        visit(self)
        return found
    }

    /// The scalar settings of this module (sizes, rates, scales), by property name, as
    /// `save_hyperparameters` records them.
    public var hyperparameters: [String: String] {
        var result: [String: String] = [:]
        forEachStoredProperty { name, value in
            switch value {
            case let v as Int: result[name] = String(v)
            case let v as Float: result[name] = String(v)
            case let v as Double: result[name] = String(v)
            case let v as Bool: result[name] = String(v)
            default: break
            }
        }
        return result
    }

    /// Sets every parameter's gradient to nil before the next backward pass.
    public func zeroGradients() {
        for parameter in parameters() { parameter.grad = nil }
    }

    /// Records a metric point for the progress board (`self.plot` in d2l).
    public func plot(_ key: String, _ value: Tensor, train: Bool) {
        board.record(key, value.item, train: train)
    }

    /// The loss of `prediction` against `targets` (`d2l.Module.loss`); ``Classifier`` defines it.
    open func loss(_ prediction: Tensor, _ targets: Tensor) -> Tensor {
        fatalError("\(type(of: self)) must override loss(_:_:)")
    }

    /// The loss of one training batch; the trainer differentiates it.
    open func trainingStep(_ batch: Batch) -> Tensor {
        fatalError("\(type(of: self)) must override trainingStep(_:)")
    }

    /// Evaluates one validation batch, recording its metrics.
    open func validationStep(_ batch: Batch) {
        fatalError("\(type(of: self)) must override validationStep(_:)")
    }

    /// The optimiser the trainer uses: minibatch SGD over ``parameters()`` at ``lr``.
    /// Override it to return any ``Optimizer``, the library's or the chapter's own.
    open func configureOptimizer() -> any Optimizer {
        SGD(parameters: parameters(), lr: lr)
    }

    private func forEachStoredProperty(_ body: (String, Any) -> Void) {
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            for child in current.children { if let label = child.label { body(label, child.value) } }
            mirror = current.superclassMirror
        }
    }
}

/// A model that predicts classes: its loss is the mean cross-entropy over every position
/// (`d2l.Classifier`).
open class Classifier: Module {
    /// Mean cross-entropy between `prediction` (`[..., classes]`) and integer `targets`.
    open override func loss(_ prediction: Tensor, _ targets: Tensor) -> Tensor {
        let classes = prediction.shape.last!
        return prediction.reshaped([-1, classes]).softmaxCrossEntropy(targets: targets.reshaped([-1]))
    }
}

/// One minibatch: inputs and the targets to predict from them.
public struct Batch {
    public let inputs: Tensor
    public let targets: Tensor
    public init(inputs: Tensor, targets: Tensor) {
        self.inputs = inputs
        self.targets = targets
    }
}
