/// Runs a training or validation step on two halves of a batch at once, one per core, as the
/// d2l trainer does across GPUs: each half builds and differentiates its own graph, and the
/// halves' gradients are added in a fixed order, each weighted by its share of the rows.
///
/// For a loss that is a mean over the batch's rows (every d2l loss), the summed gradient is the
/// whole batch's, up to rounding; results depend on the thread count, never on timing. The
/// chapter's shapes gain more from this than from splitting each operation between the
/// cores, which synchronises them thousands of times per batch.
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
