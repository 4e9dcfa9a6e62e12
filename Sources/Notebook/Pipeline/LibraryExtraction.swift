import Foundation

/// d2lbook's `#@save`: the chapter's cells tagged `.save` are the source of truth for the
/// library's copy of them, one Swift file per chapter (`d2l-run save-library`).
public enum LibraryExtraction {
    /// Where a d2l-swift checkout keeps the chapters' saved cells, from its root.
    public static let chapterFolder = "Sources/D2LSwift/Chapter"
    /// Where a checkout keeps its chapters, from its root.
    public static let chaptersFolder = "Chapters"

    /// Words of chapter names written in capitals in a Swift type name (rnn-scratch → RNNScratch).
    static let acronyms: Set<String> = ["bert", "cnn", "fcn", "gan", "gpt", "gpu", "gru", "lstm", "mlp",
                                        "nlp", "rnn", "ssd", "vgg"]

    /// The library file named after the chapter at `path`: its file name's words, split at `-`
    /// and `_`, in upper camel case, acronyms in capitals (`rnn-scratch.md` → `RNNScratch.swift`).
    public static func libraryFileName(forChapterAt path: String) -> String {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let words = stem.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " }).map { word in
            acronyms.contains(word.lowercased()) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }
        return words.joined() + ".swift"
    }

    /// The library file made from the chapter's `.save` cells, in order; its header names the
    /// chapter as `sourcePath` (the chapter's own path unless given).
    public static func librarySource(of chapter: Chapter, sourcePath: String? = nil) -> String {
        let header = """
        // Generated from \(sourcePath ?? chapter.path) by `d2l-run save-library`: edit the chapter, not this file.
        // The chapter's cells hold the real code, as d2l's do; this copy lets other programs
        // (the benchmark, the tests) use it without running the notebook.
        import CellProtocol
        import ChapterRuntime
        import Foundation

        """
        return header + chapter.cells.filter(\.tags.save).map { $0.source + "\n" }.joined(separator: "\n")
    }

    /// Whether `folder` is the root of a d2l-swift checkout, whose library the chapters' saved
    /// cells go into by default.
    public static func isCheckout(_ folder: URL) -> Bool {
        guard let manifest = try? String(contentsOf: folder.appendingPathComponent("Package.swift"), encoding: .utf8)
        else { return false }
        var isDirectory: ObjCBool = false
        return manifest.contains("name: \"d2l-swift\"")
            && FileManager.default.fileExists(atPath: folder.appendingPathComponent("Sources/D2LSwift").path,
                                              isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The paths, from `folder`, of the chapters in its `Chapters/` that have `.save` cells,
    /// sorted; a chapter that cannot be read is an error.
    public static func chaptersWithSavedCells(in folder: URL) throws -> [String] {
        let chapters = folder.appendingPathComponent(chaptersFolder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: chapters.path)) ?? []
        return try names.filter { $0.hasSuffix(".md") }.sorted().compactMap { name in
            let chapter = try ChapterParser.parse(fileAt: chapters.appendingPathComponent(name).path)
            return chapter.cells.contains(where: \.tags.save) ? "\(chaptersFolder)/\(name)" : nil
        }
    }

    /// One chapter's library file, written.
    public struct SavedFile: Equatable, Sendable {
        /// The chapter, as named on the command line.
        public var chapterPath: String
        /// The file written, or nil when the chapter has no `.save` cells.
        public var libraryPath: String?
        /// How many `.save` cells it holds.
        public var cellCount: Int
    }

    /// A reason `save-library` cannot write, told in one line with what to do.
    public struct SaveError: UserFacingError, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// Writes each chapter's `.save` cells to its own file (``libraryFileName(forChapterAt:)``)
    /// in `folder`: by default the library's ``chapterFolder`` of the checkout `directory` is.
    /// With no chapters, every chapter of the checkout's ``chaptersFolder`` that has `.save` cells.
    ///
    /// - Throws: ``ChapterError`` for a chapter that cannot be read, ``SaveError`` when
    ///   `directory` is not a checkout and no folder is given, or a file cannot be written.
    public static func save(chapters: [String], into folder: String?, from directory: URL) throws -> [SavedFile] {
        // Paths are resolved against it as a folder, whether or not the URL says it is one.
        let directory = URL(fileURLWithPath: directory.path, isDirectory: true)
        let target: URL
        if let folder {
            target = URL(fileURLWithPath: folder, relativeTo: directory).standardizedFileURL
        } else {
            guard isCheckout(directory) else {
                throw SaveError(message: "\(directory.path) is not a d2l-swift checkout, where save-library writes "
                    + "\(chapterFolder)/: run it from the checkout's root, or name a folder with --into DIR")
            }
            target = directory.appendingPathComponent(chapterFolder)
        }
        let paths = chapters.isEmpty ? try chaptersWithSavedCells(in: directory) : chapters
        guard !paths.isEmpty else {
            throw SaveError(message: "no chapter in \(directory.appendingPathComponent(chaptersFolder).path) "
                + "has .save cells: name the chapters to save")
        }
        var written: [String: String] = [:]
        for path in paths {
            let name = libraryFileName(forChapterAt: path)
            if let other = written[name],
               URL(fileURLWithPath: other, relativeTo: directory).standardizedFileURL
                != URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL {
                throw SaveError(message: "\(other) and \(path) would both be saved as \(name): rename one of them")
            }
            written[name] = path
        }
        let parsed = try paths.map { path in
            let url = URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL
            return (path, url, try ChapterParser.parse(fileAt: url.path))
        }
        if parsed.contains(where: { $0.2.cells.contains(where: \.tags.save) }) { try prepareFolder(target) }
        return try parsed.map { path, url, chapter in
            let cellCount = chapter.cells.filter(\.tags.save).count
            guard cellCount > 0 else { return SavedFile(chapterPath: path, libraryPath: nil, cellCount: 0) }
            let file = target.appendingPathComponent(libraryFileName(forChapterAt: path))
            let source = librarySource(of: chapter, sourcePath: pathFrom(directory, to: url) ?? path)
            do {
                try AtomicFile.write(Data(source.utf8), to: file)
            } catch {
                throw SaveError(message: "cannot write \(file.path): \(error.localizedDescription)")
            }
            return SavedFile(chapterPath: path, libraryPath: file.path, cellCount: cellCount)
        }
    }

    /// Makes `folder` if it is missing; a file in its place, or a folder that cannot be made or
    /// written, is a ``SaveError`` (Foundation's own message would name a temporary file).
    private static func prepareFolder(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SaveError(message: "cannot write to \(folder.path): it is a file, not a folder") }
        } else {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw SaveError(message: "cannot make the folder \(folder.path): \(error.localizedDescription)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw SaveError(message: "cannot write to \(folder.path): permission denied")
        }
    }

    /// `url`'s path from `directory` when it lies inside it, so that a library file names its
    /// chapter the same way however the chapter was named on the command line.
    private static func pathFrom(_ directory: URL, to url: URL) -> String? {
        let base = directory.standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return url.path.hasPrefix(prefix) ? String(url.path.dropFirst(prefix.count)) : nil
    }
}
