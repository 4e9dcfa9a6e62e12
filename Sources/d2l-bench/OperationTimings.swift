import D2LSwift
import Foundation

/// Times the operations a training step is made of, at the chapter's sizes, so that a change
/// to one kernel can be measured apart from the whole run (whose time drifts with the machine).
enum OperationTimings {
    static func report(batch b: Int, hiddens h: Int, vocabulary v: Int, steps t: Int) {
        Random.seed(1)
        AllocatorTuning.apply()  // as training runs
        let indices = Tensor(shape: [b, t], scalars: (0..<(b * t)).map { Float(($0 * 7) % v) })
        let W_xh = (Tensor.randn([v, h]) * 0.1).requiringGrad()
        let W_hh = (Tensor.randn([h, h]) * 0.1).requiringGrad()
        let b_h = Tensor.zeros([h]).requiringGrad()
        let H = Tensor.randn([b, h])
        let X = indices.T.oneHot(classes: v)[0]
        let logits = (Tensor.randn([b * t, v]) * 2).requiringGrad()
        let targets = Tensor(shape: [b * t], scalars: (0..<(b * t)).map { Float(($0 * 5) % v) })
        let stepOutputs = (0..<t).map { _ in matmul(H, W_hh) + b_h }

        print("d2l-bench: operation timings (batch \(b), \(h) hidden, vocabulary \(v), \(t) steps; best of 5, \(Parallelism.threads) thread(s)):")
        time("one RNN step, forward: tanh(X W_xh + b_h + H W_hh)", bytes: 2 * b * h * 4) {
            _ = tanh(matmul(X, W_xh) + b_h + matmul(H, W_hh))
        }
        let lookup = matmul(X, W_xh), product = matmul(H, W_hh)
        time("  of which H W_hh", bytes: 2 * b * h * 4) { _ = matmul(H, W_hh) }
        time("  of which tanh(lookup + b_h + product), deferred sum", bytes: 2 * b * h * 4) {
            _ = tanh(lookup + b_h + product)
        }
        time("  tanh alone, on a \(b)x\(h) matrix", bytes: 2 * b * h * 4) { _ = tanh(H) }
        // Seeded with ones rather than through `sum()`, whose serial loop would take a third of it.
        let ones = Tensor.full([b, h], 1)
        time("one RNN step, forward and backward", bytes: 8 * b * h * 4) {
            let state = tanh(matmul(X, W_xh) + b_h + matmul(H, W_hh))
            state.backward(seed: ones)
        }
        time("stack \(t) outputs of \(b)x\(h) (deferred bias sums)", bytes: 2 * t * b * h * 4) {
            _ = stack(stepOutputs, axis: 1)
        }
        time("cross-entropy of \(b * t)x\(v) logits, forward and backward", bytes: 3 * b * t * v * 4) {
            logits.softmaxCrossEntropy(targets: targets).backward()
        }
        // The chapter's output layer and loss: each step's H W_hq + b_q, stacked, cross-entropy.
        let W_hq = (Tensor.randn([h, v]) * 0.1).requiringGrad(), b_q = Tensor.zeros([v]).requiringGrad()
        let states = (0..<t).map { _ in Tensor.randn([b, h]) }
        time("output layer, stack and loss of \(t) steps, forward and backward", bytes: 3 * b * t * v * 4) {
            let scores = stack(states.map { matmul($0, W_hq) + b_q }, axis: 1)
            scores.reshaped([-1, v]).softmaxCrossEntropy(targets: targets).backward()
        }
        time("bias gradient: sum of \(b)x\(h) rows", bytes: b * h * 4) {
            _ = H.sum(toShape: [h])
        }
    }

    private static func time(_ name: String, bytes: Int, _ body: () -> Void) {
        let repeats = 50
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { body() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repeats))
        }
        let label = name.padding(toLength: 64, withPad: " ", startingAt: 0)
        print(label + String(format: " %8.1f us  %6.1f GB/s", best * 1e6, Double(bytes) / best / 1e9))
    }
}
