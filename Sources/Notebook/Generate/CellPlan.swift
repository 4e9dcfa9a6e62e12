/// What a run does with each cell, decided before generating the program.
public enum CellPlan: Equatable, Sendable {
    /// Runs in the program's main flow; its declarations are visible to later cells.
    case run
    /// Runs in a forked copy of the program (exercises, cells expected to fail): whatever it
    /// does, the chapter goes on.
    case runIsolated
    /// Not run, for the reason given (tagged `.norun`, an exercise not asked for, after a cell
    /// that failed to compile).
    case skip(reason: String)

    /// The plan for each of `chapter`'s cells.
    public static func plans(for chapter: Chapter, exercises: ExerciseSelection) -> [CellPlan] {
        chapter.cells.map { cell in
            if cell.tags.noRun { return .skip(reason: "shown only (tagged .norun)") }
            if cell.tags.exercise && !exercises.includes(cell) {
                return .skip(reason: "exercise: run it with --exercise \(cell.id) (or --exercises)")
            }
            return cell.tags.isIsolated ? .runIsolated : .run
        }
    }

    public var runs: Bool {
        if case .skip = self { return false }
        return true
    }
}
