import Notebook

/// The live session is what the server serves; its page is woven here, at the server's edge.
extension LiveSession: NotebookBackend {
    public func pageHTML() async -> String { page().html }
}
