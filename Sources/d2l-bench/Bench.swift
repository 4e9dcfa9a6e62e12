import ArgumentParser
import D2LSwift
import HostEnvironment
import Foundation

/// Trains the chapter's model outside the notebook and prints how fast it went.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "d2l-bench",
        abstract: "Train the chapter's RNN language model and report time, tokens/s and GFLOPS.")

    @Option(help: "Epochs to train.") var epochs = 100
    @Option(help: "Threads (1 or 2): each batch is split between them, or with --split-operations each operation.")
    var threads = Parallelism.threads
    @Flag(help: "With two threads, split each operation's loop instead of each batch (the slower way, to compare).")
    var splitOperations = false
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Hidden units.") var hiddens = 32
    @Option(help: "Minibatch size.") var batchSize = 1024
    @Option(help: "Time steps per window.") var steps = 32
    @Flag(help: "Skip measuring the machine's sgemm speed.") var skipPeak = false
    @Flag(help: "Time the operations of a training step instead of training.") var operations = false
    @Option(help: "Time `d2l-run serve` on this chapter instead: start-up, then five edited runs of ex-sampling.")
    var serve: String?
    @Option(help: "The d2l-run that --serve starts.") var runner = ".build/debug/d2l-run"

    func run() throws {
        if let serve { return try ServeBenchmark.run(chapter: serve, runner: runner) }
        OpenBLASSettings.ensureApplied()
        Random.seed(seed)
        Parallelism.threads = threads
        if operations {
            return OperationTimings.report(batch: batchSize, hiddens: hiddens, vocabulary: 28, steps: steps)
        }
        let data = try TimeMachine(batchSize: batchSize, numSteps: steps)
        let rnn = RNNScratch(numInputs: data.vocab.count, numHiddens: hiddens)
        let model = RNNLMScratch(rnn: rnn, vocabSize: data.vocab.count, lr: 1)
        let trainer = Trainer(maxEpochs: epochs, gradientClipVal: 1)
        trainer.showsFigure = false
        trainer.reportsProgress = false
        trainer.splitsBatches = !splitOperations
        Parallelism.recordsStatistics = threads >= 2
        let start = Date()
        trainer.fit(model, data)
        let wall = Date().timeIntervalSince(start)
        Parallelism.recordsStatistics = false

        let work = RNNWorkload(vocabSize: data.vocab.count, numHiddens: hiddens, numSteps: steps,
                               trainTokens: data.numTrain * steps, validationTokens: data.numVal * steps)
        let flops = work.flopsPerEpoch * Double(epochs)
        let achieved = flops / wall / 1e9
        print("d2l-bench: \(epochs) epochs, batch \(batchSize), \(steps) steps, \(hiddens) hidden, \(threads) thread(s), seed \(seed)")
        print(String(format: "wall            %.2f s", wall))
        print(String(format: "per epoch       %.1f ms (median %.1f ms)", wall / Double(epochs) * 1000,
                     median(trainer.epochSeconds) * 1000))
        print("allocator       \(AllocatorTuning.allocator)")
        let sorted = trainer.epochSeconds.sorted()
        if let first = trainer.epochSeconds.first, let fastest = sorted.first, let slowest = sorted.last {
            // Where the mean and the median part: the first epoch faults the heap in, and the
            // machine has slow moments.
            print(String(format: "epochs          first %.1f ms, fastest %.1f, 90th percentile %.1f, slowest %.1f",
                         first * 1000, fastest * 1000, sorted[min(sorted.count - 1, sorted.count * 9 / 10)] * 1000,
                         slowest * 1000))
        }
        print(String(format: "tokens/s        %.0f (training tokens)", Double(trainer.trainedTokens) / wall))
        print(String(format: "work            %.3g FLOP dense-equivalent (%.3g as row lookups)", flops,
                     flops - work.oneHotFlopsPerEpoch * Double(epochs)))
        print(String(format: "achieved        %.1f GFLOPS dense-equivalent", achieved))
        if threads >= 2 {
            let loops = Parallelism.statistics
            let between = wall - loops.secondsWorking - loops.secondsWaiting
            let jobs = splitOperations ? "split loops" : "jobs on both threads (half-batch pairs, batches built)"
            print(String(format: "two threads     %d %@; main thread %.0f%% on its share, %.0f%% waiting for the worker, %.0f%% alone (the worker idles)",
                         loops.jobs, jobs as NSString, loops.secondsWorking / wall * 100, loops.secondsWaiting / wall * 100,
                         between / wall * 100))
        }
        if !skipPeak {
            let chapterShape = MatmulPeak.gflops(m: batchSize, n: hiddens, k: hiddens)
            let large = MatmulPeak.gflops(m: 1024, n: 1024, k: 1024, repeats: 3)
            print(String(format: "matmul peak     %.1f GFLOPS at %dx%dx%d, %.1f GFLOPS at 1024^3 (%d thread(s), measured now)",
                         chapterShape, batchSize, hiddens, hiddens, large, threads))
            print("kernels         \(MatmulPeak.kernels)")
            print(String(format: "share of peak   %.0f%% of the 1024^3 figure", achieved / large * 100))
            // The products one training step makes, forward and backward.
            let (b, h, v) = (batchSize, hiddens, data.vocab.count)
            let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
                ("H W_hh      (forward)", b, h, h, false, false),
                ("H W_hq      (forward)", b, v, h, false, false),
                ("G W_hh^T    (state gradient)", b, h, h, false, true),
                ("G_q W_hq^T  (state gradient from the output)", b, h, v, false, true),
                ("H^T G       (weight gradient)", h, h, b, true, false),
                ("H^T G_q     (output weight gradient)", h, v, b, true, false),
            ]
            for (name, m, n, k, ta, tb) in shapes {
                print(String(format: "  %-38@ %dx%dx%d: %.1f GFLOPS", name as NSString, m, n, k,
                             MatmulPeak.gflops(m: m, n: n, k: k, transposeA: ta, transposeB: tb)))
            }
        }
        let train = model.board.latest("train_ppl") ?? .nan, validation = model.board.latest("val_ppl") ?? .nan
        print(String(format: "final ppl       train %.3f, validation %.3f", train, validation))
        print("prediction      \(model.predict("it has", 20, data.vocab).debugDescription)")
    }

    private func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return values.sorted()[values.count / 2]
    }
}

/// OpenBLAS reads its settings (one thread, a core type matching this CPU) when it is loaded:
/// only the environment this program starts with sets them, so when they are missing it sets
/// them and starts itself again (d2l-run does the same for chapter programs).
enum OpenBLASSettings {
    static func ensureApplied() {
        let current = ProcessInfo.processInfo.environment
        let wanted = BLASEnvironment.adding(to: current)
        guard wanted != current else { return }
        for (name, value) in wanted where current[name] != value { setenv(name, value, 1) }
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // execv returns only on failure: carry on with OpenBLAS's defaults.
    }
}
