import CellProtocol
import ChapterRuntime
import Foundation

/// Fits a model to a data module for a number of epochs with the ``Optimizer`` the model
/// configures (minibatch SGD unless it says otherwise), with optional gradient clipping,
/// validating after each epoch (`d2l.Trainer`).
public final class Trainer {
    /// How gradients are clipped: given the threshold and the model, rescales its gradients.
    public typealias GradientClipper = (_ gradClipVal: Float, _ model: Module) -> Void

    public let maxEpochs: Int
    /// Clip the global gradient norm to this value; 0 turns clipping off.
    public let gradientClipVal: Float
    /// The clipping function; the chapter passes its own.
    public let clipGradients: GradientClipper
    /// Whether `fit` shows the metrics figure when it ends (the notebook does; benchmarks do not).
    public var showsFigure = true
    /// Whether `fit` reports per-epoch progress.
    public var reportsProgress = true
    /// Whether each batch is split in two halves run at once on two cores
    /// (``DataParallelStep``), when ``Parallelism/threads`` allows. The first batch of each
    /// shape is first run whole on the calling thread, its results discarded, so that a
    /// mistake in the model's steps is reported the same way every run. Turn it off for a
    /// model whose steps are not safe to run concurrently or whose loss is not a mean over rows.
    public var splitsBatches = true
    /// Wall time of each epoch in seconds, training and validation together.
    public private(set) var epochSeconds: [Double] = []
    /// Training tokens processed by the last `fit`.
    public private(set) var trainedTokens = 0

    public init(maxEpochs: Int, gradientClipVal: Float = 0,
                clipGradients: @escaping GradientClipper = D2LSwift.clipGradients) {
        self.maxEpochs = maxEpochs
        self.gradientClipVal = gradientClipVal
        self.clipGradients = clipGradients
    }

    /// Trains `model` on `data` for ``maxEpochs`` epochs.
    public func fit(_ model: Module, _ data: DataModule) {
        AllocatorTuning.apply()
        model.withParametersFixed { train(model, data) }
    }

    private func train(_ model: Module, _ data: DataModule) {
        let optimizer = model.configureOptimizer()
        let start = Date()
        var rehearsals = DataParallelStep.Rehearsals()
        for epoch in stride(from: 1, through: maxEpochs, by: 1) {
            let epochStart = Date()
            var tokens = 0
            for batch in data.trainBatches() {
                if splitsBatches, let halves = DataParallelStep.halves(of: batch) {
                    rehearsals.beforeTraining(model, on: batch)
                    optimizer.zeroGrad()
                    DataParallelStep.train(model, on: halves)
                } else {
                    let loss = model.trainingStep(batch)
                    optimizer.zeroGrad()
                    loss.backward()
                }
                if gradientClipVal > 0 { clipGradients(gradientClipVal, model) }
                optimizer.step()
                tokens += batch.targets.count
            }
            GradientMode.withoutGradients {
                for batch in data.validationBatches() {
                    if splitsBatches, let halves = DataParallelStep.halves(of: batch) {
                        rehearsals.beforeValidation(model, on: batch)
                        DataParallelStep.validate(model, on: halves)
                    } else {
                        model.validationStep(batch)
                    }
                }
            }
            model.board.finishEpoch()
            let seconds = Date().timeIntervalSince(epochStart)
            epochSeconds.append(seconds)
            trainedTokens += tokens
            if reportsProgress { report(epoch: epoch, board: model.board, tokensPerSecond: Double(tokens) / seconds) }
            // The live page redraws the figure every epoch, as d2l's notebooks do.
            if showsFigure && CellRuntime.isLive && !model.board.keys.isEmpty {
                CellRuntime.showLiveFigure(model.board.figure())
            }
        }
        if reportsProgress {
            CellRuntime.progress(String(format: "trained %d epochs in %.1f s", maxEpochs, Date().timeIntervalSince(start)))
        }
        if showsFigure && !model.board.keys.isEmpty { display(model.board.figure()) }
    }

    private func report(epoch: Int, board: ProgressBoard, tokensPerSecond: Double) {
        let metrics = board.keys.compactMap { key in board.latest(key).map { "\(key.replacingOccurrences(of: "_", with: " ")) \(String(format: "%.2f", $0))" } }
        CellRuntime.progress("epoch \(epoch)/\(maxEpochs)  " + metrics.joined(separator: "  ")
                             + String(format: "  %.0f tokens/s", tokensPerSecond))
    }
}
