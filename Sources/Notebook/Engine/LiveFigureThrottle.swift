import CellProtocol
import Foundation

/// When to draw a running cell's figure so far (the training board after each epoch), for both
/// front ends: the first at once, then at most every ``interval``; one that comes sooner is
/// kept as ``pending`` (the kernel draws the latest when the cell ends). Drawing every epoch's
/// (gnuplot, about 27 ms) held the cell's output back and slowed training twofold.
struct LiveFigureThrottle {
    /// The shortest time between two drawings.
    static let interval: TimeInterval = 0.5

    private var drawnAt: Date?
    /// The latest figure not drawn yet.
    private(set) var pending: Figure?

    /// Whether a figure has been drawn.
    var hasDrawn: Bool { drawnAt != nil }

    /// `figure` if it is time to draw it (it is then no longer pending), else nil.
    mutating func admit(_ figure: Figure, now: Date = Date()) -> Figure? {
        if let drawnAt, now.timeIntervalSince(drawnAt) < Self.interval {
            pending = figure
            return nil
        }
        drawnAt = now
        pending = nil
        return figure
    }

    /// The pending figure, no longer pending.
    mutating func takePending() -> Figure? {
        defer { pending = nil }
        return pending
    }
}
