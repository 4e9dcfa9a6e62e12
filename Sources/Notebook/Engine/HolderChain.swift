/// The processes holding a kernel's state, base first: each link holds the state after its
/// cell, and is blocked in `waitpid` on the next one (the rollback point).
public struct HolderChain: Equatable, Sendable {
    /// One holder: its process, the cell whose state it holds (0 for the base) and that
    /// cell's module, which the next cell imports.
    public struct Link: Equatable, Sendable {
        public var pid: Int32
        public var cell: Int
        public var module: String
    }

    /// The links, base first; the last one serves the next cell.
    public private(set) var links: [Link]

    /// A chain holding nothing but the base program `pid`.
    public init(basePID pid: Int32) {
        links = [Link(pid: pid, cell: 0, module: ChainedCellProgram.baseModule)]
    }

    /// The holder that runs the next cell.
    public var holder: Link { links[links.count - 1] }

    /// The cells whose state is held, in order.
    public var cells: [Int] { links.dropFirst().map(\.cell) }

    /// Cell `cell` (module `module`) ran to its end in `pid`, which now holds the state.
    public mutating func succeeded(cell: Int, module: String, pid: Int32) {
        links.append(Link(pid: pid, cell: cell, module: module))
    }

    /// `pid` holds the state again (the processes after it ended): the cells after its own
    /// are rolled back. False if `pid` is not in the chain.
    @discardableResult
    public mutating func resumed(pid: Int32) -> Bool {
        guard let position = links.firstIndex(where: { $0.pid == pid }) else { return false }
        links.removeSubrange((position + 1)...)
        return true
    }
}
