/// Runs a training or validation step on two halves of a batch at once, one per core, as the
/// d2l trainer does across GPUs: each half builds and differentiates its own graph, and the
/// halves' gradients are added in a fixed order, each weighted by its share of the rows.
///
/// For a loss that is a mean over the batch's rows (every d2l loss), the summed gradient is the
/// whole batch's, up to rounding; results depend on the thread count, never on timing. The
/// chapter's shapes gain more from this than from splitting each operation between the
/// cores, which synchronises them thousands of times per batch.
///
/// A step that fails would fail on both threads at once, about half the batch, and the crash
/// report would show whichever thread stopped first; so the trainer first rehearses each batch
/// shape's steps whole, on its own thread (``Rehearsals``), where a mistake stops the program
/// the same way every run.
enum DataParallelStep {
    /// Fewer rows per half than this are not worth a second thread.
    static let minimumRowsPerHalf = 64

    /// Rows of a batch that one thread trains on.
    struct Half {
        let batch: Batch
        let rows: Range<Int>

        /// The rows' inputs and targets, copied out by the thread that uses them: in its cache,
        /// and not on the main thread while the worker waits.
        func copied() -> Batch { Batch(inputs: batch.inputs[rows], targets: batch.targets[rows]) }
    }

    /// The batch's two halves by rows, or nil when it is not worth (or not possible) splitting.
    static func halves(of batch: Batch) -> [Half]? {
        let rows = batch.inputs.shape.first ?? 0
        guard Parallelism.threads >= 2, rows >= 2 * minimumRowsPerHalf,
              batch.targets.shape.first == rows else { return nil }
        let middle = rows / 2
        return [0..<middle, middle..<rows].map { Half(batch: batch, rows: $0) }
    }

    /// Differentiates `model`'s training loss on both halves, adding the gradients to its
    /// parameters' `grad`.
    static func train(_ model: Module, on halves: [Half]) {
        let weights = shares(of: halves)
        let sinks = halves.map { _ in GradientSink() }
        let logs = run(halves, logs: halves.map { _ in MetricLog() }) { part, context in
            context.gradientSink = sinks[part]
            defer { context.gradientSink = nil }
            // A unit seed, as a whole batch's backward() has (the loss can hand back the
            // gradient it computed with its value); the share is applied to the parameters'
            // small gradients instead.
            model.trainingStep(halves[part].copied()).backward()
        }
        for (sink, weight) in zip(sinks, weights) { sink.addToLeaves(scaledBy: weight) }
        MetricLog.merge(logs, weights: weights)
    }

    /// Runs `model`'s validation step on both halves, without recording graphs.
    static func validate(_ model: Module, on halves: [Half]) {
        let logs = run(halves, logs: halves.map { _ in MetricLog() }) { part, _ in
            GradientMode.withoutGradients { model.validationStep(halves[part].copied()) }
        }
        MetricLog.merge(logs, weights: shares(of: halves))
    }

    /// The batch shapes whose steps one `fit` has rehearsed (``rehearseTraining(_:on:)``):
    /// each shape once, so that a step that only fails for another batch size (the last,
    /// shorter batch of an epoch) is caught too, at the cost of one extra step per shape.
    struct Rehearsals {
        private var trained = Set<[[Int]]>()
        private var validated = Set<[[Int]]>()

        /// Rehearses `model`'s training step on `batch` unless a batch of its shape was.
        mutating func beforeTraining(_ model: Module, on batch: Batch) {
            if trained.insert([batch.inputs.shape, batch.targets.shape]).inserted {
                DataParallelStep.rehearseTraining(model, on: batch)
            }
        }

        /// Rehearses `model`'s validation step on `batch` unless a batch of its shape was.
        mutating func beforeValidation(_ model: Module, on batch: Batch) {
            if validated.insert([batch.inputs.shape, batch.targets.shape]).inserted {
                DataParallelStep.rehearseValidation(model, on: batch)
            }
        }
    }

    /// Runs `model`'s training step and its backward pass once on the whole `batch`, on the
    /// calling thread alone, and discards all it made: the gradients go to a sink never added
    /// to the parameters, the plotted metrics to a log never recorded, the random draws are
    /// undone. A mistake in the step (shapes that do not fit) then stops the program here,
    /// every run the same, from the stack of the cell that called `fit` and about the batch the
    /// author made, not on whichever half's thread got there first, about half of it.
    static func rehearseTraining(_ model: Module, on batch: Batch) {
        rehearse { context in
            let saved = context.gradientSink
            context.gradientSink = GradientSink()
            defer { context.gradientSink = saved }
            model.trainingStep(batch).backward()
        }
    }

    /// Runs `model`'s validation step once on the whole `batch` on the calling thread, as
    /// ``rehearseTraining(_:on:)`` does, without recording a graph.
    static func rehearseValidation(_ model: Module, on batch: Batch) {
        rehearse { _ in GradientMode.withoutGradients { model.validationStep(batch) } }
    }

    private static func rehearse(_ body: (ThreadContext) -> Void) {
        let context = ThreadContext.current
        let savedLog = context.metricLog
        let savedGenerator = Random.generator
        context.metricLog = MetricLog()
        defer {
            context.metricLog = savedLog
            Random.generator = savedGenerator
        }
        Parallelism.withoutSplitting { body(context) }
    }

    /// Runs `body` for both halves, one on the worker thread, with each thread's plots going
    /// to its half's log.
    private static func run(_ halves: [Half], logs: [MetricLog],
                            _ body: (Int, ThreadContext) -> Void) -> [MetricLog] {
        func part(_ index: Int) {
            let context = ThreadContext.current
            context.metricLog = logs[index]
            defer { context.metricLog = nil }
            body(index, context)
        }
        Parallelism.pair({ part(0) }, { part(1) })
        return logs
    }

    private static func shares(of halves: [Half]) -> [Float] {
        let rows = halves.map { Float($0.rows.count) }
        let total = rows.reduce(0, +)
        return rows.map { $0 / total }
    }
}
