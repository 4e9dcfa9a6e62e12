/// Which exercise cells a run includes: none by default, so the chapter stays fast.
public enum ExerciseSelection: Equatable, Sendable {
    case none
    case all
    /// Exercise cells with these ids.
    case only(Set<String>)

    public func includes(_ cell: Cell) -> Bool {
        switch self {
        case .none: return false
        case .all: return true
        case let .only(ids): return ids.contains(cell.id)
        }
    }
}

extension ExerciseSelection {
    /// Throws when an id asked for is not an exercise cell of `chapter`, naming the ids there are.
    public func check(against chapter: Chapter) throws {
        guard case let .only(ids) = self else { return }
        let exercises = chapter.cells.filter(\.tags.exercise).map(\.id)
        let unknown = ids.subtracting(exercises).sorted()
        guard !unknown.isEmpty else { return }
        let there = exercises.isEmpty ? "the chapter has no exercise cells" : "its exercises are " + exercises.joined(separator: ", ")
        throw ChapterError(path: chapter.path,
                           message: "no exercise cell with id \(unknown.map { "'\($0)'" }.joined(separator: ", ")); \(there)")
    }
}
