import Foundation
@testable import Notebook
import ProjectPaths

/// A chapter author's own folder outside this checkout: `book/Chapters/` and `book/Data/`,
/// where `d2l-run` runs with `book/` as its working directory, as an author runs it.
struct AuthorBook {
    let folder: URL

    init() throws {
        folder = Project.temporaryDirectory().appendingPathComponent("book")
        for name in ["Chapters", "Data"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
        }
    }

    /// Copies the fixture at `fixture` (relative to the fixtures folder) into `Chapters/`.
    func addChapter(_ fixture: String) throws {
        let source = Project.fixtures.appendingPathComponent(fixture)
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("Chapters/\(source.lastPathComponent)"))
    }

    func writeData(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent("Data/\(name)"), atomically: true, encoding: .utf8)
    }

    /// Runs `d2l-run` in the book's folder: its exit status and standard error.
    func run(_ arguments: [String]) throws -> (status: Int32, standardError: String) {
        let process = Process()
        process.executableURL = Project.d2lRun
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// A file the run wrote under `Output/`.
    func output(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("Output/\(name)"), encoding: .utf8)
    }

    /// The page's section of cell `id`.
    static func section(_ id: String, in html: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\">"),
              let end = html[start.upperBound...].range(of: "</section>") else { return "" }
        return String(html[start.upperBound..<end.lowerBound])
    }
}
