import Foundation

/// Where a run's wall time went, stage by stage, in the order the stages ran: what
/// `d2l-run --timings` prints and the benchmark's account of a cold run.
public struct StageTimes: Equatable, Sendable {
    /// One stage: its name and seconds.
    public struct Stage: Equatable, Sendable {
        public var name: String
        public var seconds: Double

        public init(name: String, seconds: Double) {
            self.name = name
            self.seconds = seconds
        }
    }

    public private(set) var stages: [Stage] = []

    public init(_ stages: [Stage] = []) { self.stages = stages }

    /// Adds a stage that took `seconds`.
    public mutating func record(_ name: String, seconds: Double) {
        stages.append(Stage(name: name, seconds: max(0, seconds)))
    }

    /// Runs `body`, recording its wall time as stage `name`.
    public mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { record(name, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// The seconds of the stage called `name`, if it ran.
    public func seconds(of name: String) -> Double? { stages.first { $0.name == name }?.seconds }

    public var total: Double { stages.reduce(0) { $0 + $1.seconds } }

    /// The program's run split into its start, each cell that ran, and its exit, from the
    /// cells' start and end times (seconds since 1970) and the program's own.
    public static func programStages(programStart: Double, programEnd: Double, cells: [(id: String, started: Double, ended: Double)]) -> [Stage] {
        let ran = cells.sorted { $0.started < $1.started }
        guard let first = ran.first, let last = ran.max(by: { $0.ended < $1.ended }) else {
            return [Stage(name: "program", seconds: programEnd - programStart)]
        }
        var stages = [Stage(name: "program start", seconds: first.started - programStart)]
        stages += ran.map { Stage(name: "cell \($0.id)", seconds: $0.ended - $0.started) }
        // Between cells: the runner's own bookkeeping and the program's, usually microseconds.
        let inCells = ran.reduce(0) { $0 + ($1.ended - $1.started) }
        stages.append(Stage(name: "between cells", seconds: max(0, last.ended - first.started - inCells)))
        stages.append(Stage(name: "program exit", seconds: programEnd - last.ended))
        return stages.map { Stage(name: $0.name, seconds: max(0, $0.seconds)) }
    }

    /// A table for the terminal: one stage a line, the longest cells first among the cells,
    /// `limit` cells at most (the rest summed).
    public func rendered(cellLimit: Int = 4) -> String {
        var lines: [String] = []
        let cells = stages.filter { $0.name.hasPrefix("cell ") }
        let shownCells = Set(cells.sorted { $0.seconds > $1.seconds }.prefix(cellLimit).map(\.name))
        var otherCells = 0.0, otherCount = 0
        for stage in stages {
            if stage.name.hasPrefix("cell "), !shownCells.contains(stage.name) {
                otherCells += stage.seconds
                otherCount += 1
                continue
            }
            lines.append(line(stage.name, stage.seconds))
        }
        if otherCount > 0 {
            lines.append(line("\(otherCount) other cells", otherCells))
        }
        lines.append(line("total", total))
        return lines.joined(separator: "\n")
    }

    private func line(_ name: String, _ seconds: Double) -> String {
        "  " + name.padding(toLength: max(name.count, 30), withPad: " ", startingAt: 0) + String(format: "%8.3f s", seconds)
    }
}
