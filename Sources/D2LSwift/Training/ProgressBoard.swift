import CellProtocol
import Foundation

/// Collects the metrics a model plots during training and averages them per epoch.
public final class ProgressBoard {
    /// A metric's points for one epoch.
    struct Bucket { var sum: Double = 0; var count = 0 }

    private var current: [String: Bucket] = [:]
    /// Per-epoch means, keyed like d2l's board: `"train_ppl"`, `"val_ppl"`.
    public private(set) var history: [String: [Double]] = [:]
    /// The order in which keys first appeared, so figures list train before validation.
    public private(set) var keys: [String] = []

    /// An empty board: no metric, no epoch.
    public init() {}

    /// Records one point of `key` for the running epoch. While the trainer runs part of a
    /// batch on this thread, the point goes to that part's ``MetricLog`` instead, to be merged
    /// with the other part's.
    public func record(_ key: String, _ value: Float, train: Bool) {
        if let log = ThreadContext.current.metricLog {
            return log.points.append(MetricLog.Point(board: self, key: key, value: value, train: train))
        }
        let name = (train ? "train_" : "val_") + key
        if history[name] == nil && current[name] == nil { keys.append(name) }
        current[name, default: Bucket()].sum += Double(value)
        current[name, default: Bucket()].count += 1
    }

    /// Closes the running epoch: each metric's mean becomes its point for that epoch.
    public func finishEpoch() {
        for (name, bucket) in current where bucket.count > 0 {
            history[name, default: []].append(bucket.sum / Double(bucket.count))
        }
        current = [:]
    }

    /// The last epoch's mean of `name`, if any.
    public func latest(_ name: String) -> Double? { history[name]?.last }

    /// The history as a figure against epochs.
    public func figure(title: String = "") -> Figure {
        Figure(title: title, xLabel: "epoch", yLabel: keys.first.map { String($0.split(separator: "_").last ?? "") } ?? "",
               series: keys.map { key in
                   Figure.Series(name: key.replacingOccurrences(of: "_", with: " "),
                                 points: (history[key] ?? []).enumerated().map { [Double($0.offset + 1), $0.element] })
               })
    }
}
