/// The metrics plotted on one thread while it runs part of a batch.
final class MetricLog {
    struct Point {
        let board: ProgressBoard
        let key: String
        let value: Float
        let train: Bool
    }

    var points: [Point] = []

    /// Records the parts' points on their boards as one point per batch: where the parts
    /// plotted the same metrics in the same order (they run the same step code), each point is
    /// the mean of the parts' values weighted by `weights` (their shares of the batch's rows):
    /// exactly the whole batch's value for a mean over rows such as the loss, and within
    /// a relative (Δloss)²/8 of it for perplexity, exp(loss). Otherwise every point is recorded
    /// as plotted.
    static func merge(_ logs: [MetricLog], weights: [Float]) {
        let first = logs[0].points
        let alike = logs.allSatisfy { log in
            log.points.count == first.count && zip(log.points, first).allSatisfy {
                $0.board === $1.board && $0.key == $1.key && $0.train == $1.train
            }
        }
        guard alike else {
            for log in logs { for point in log.points { point.board.record(point.key, point.value, train: point.train) } }
            return
        }
        for (index, point) in first.enumerated() {
            var value: Float = 0
            for (log, weight) in zip(logs, weights) { value += weight * log.points[index].value }
            point.board.record(point.key, value, train: point.train)
        }
    }
}
