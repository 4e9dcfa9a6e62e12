import Notebook

/// The live session is what the server serves.
extension LiveSession: NotebookBackend {}
