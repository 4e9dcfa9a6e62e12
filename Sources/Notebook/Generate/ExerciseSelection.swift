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
