/// What the runner writes on a serving program's control channel to run one more cell: a
/// line `run INDEX keep|discard LIBRARY` (``line``), read back by ``init(line:)``.
///
/// The program (the kernel's base, or a live chapter program after its main cells) forks; the
/// child loads `library` and runs cell `index`'s entry point. With `keepsState` the child holds
/// the state from then on (a kernel cell); without, it exits when the cell ends and the state
/// is as it was before (an exercise run by `d2l-run serve`).
public struct RunCellCommand: Equatable, Sendable {
    public var index: Int
    public var keepsState: Bool
    /// The cell's shared library (may contain spaces: it is the line's last field).
    public var library: String

    public init(index: Int, keepsState: Bool, library: String) {
        self.index = index
        self.keepsState = keepsState
        self.library = library
    }

    /// The command as one line, newline included.
    public var line: String { "run \(index) \(keepsState ? "keep" : "discard") \(library)\n" }

    /// Reads a line written by ``line`` (without its newline); nil for anything else.
    public init?(line: String) {
        let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "run", let index = Int(fields[1]), !fields[3].isEmpty,
              fields[2] == "keep" || fields[2] == "discard" else { return nil }
        self.init(index: index, keepsState: fields[2] == "keep", library: String(fields[3]))
    }
}
