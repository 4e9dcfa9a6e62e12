/// d2lbook's `#@save`: the chapter's cells tagged `.save` are the source of truth for the
/// library's copy of them.
public enum LibraryExtraction {
    /// The library file made from the chapter's `.save` cells, in order.
    public static func librarySource(of chapter: Chapter) -> String {
        let header = """
        // Generated from \(chapter.path) by `d2l-run save-library`: edit the chapter, not this file.
        // The chapter's cells hold the real code, as d2l's do; this copy lets other programs
        // (the benchmark, the tests) use it without running the notebook.
        import Foundation

        """
        return header + chapter.cells.filter(\.tags.save).map { $0.source + "\n" }.joined(separator: "\n")
    }
}
