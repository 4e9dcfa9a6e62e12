import ArgumentParser
import Foundation
import Notebook

/// `d2l-run CHAPTER.md`: runs a chapter and writes `Output/CHAPTER.html` and `.ipynb`.
@main
struct D2LRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "d2l-run",
        abstract: "Run a d2l chapter's Swift cells and weave the results into HTML and a notebook.",
        discussion: """
        Exit status: 0 when every cell ran, 1 when a cell failed (the page is still written), \
        2 when the chapter cannot be read or the command is misused.
        """,
        subcommands: [Run.self, SaveLibrary.self],
        defaultSubcommand: Run.self)
}

extension D2LRun {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a chapter (the default).")

        @Argument(help: "The chapter's Markdown file.") var chapter: String
        @Option(name: .shortAndLong, help: "Folder for the page, notebook and figures.") var output = "Output"
        @Option(help: "Seed for initialisation, data order and sampling.") var seed: UInt64 = 0
        @Flag(help: "Also run every exercise cell.") var exercises = false
        @Option(name: .customLong("exercise"), help: "Also run the exercise cell with this id (repeatable).")
        var exerciseIDs: [String] = []
        @Option(help: "Seconds a single cell may run.") var cellTimeout: Double = 600
        @Option(help: "Seconds the whole chapter may run.") var timeout: Double = 3600

        func run() throws {
            let log = Terminal()
            do {
                let toolchain = try Toolchain.locate(executablePath: CommandLine.executablePath)
                let selection: ExerciseSelection = exercises ? .all : (exerciseIDs.isEmpty ? .none : .only(Set(exerciseIDs)))
                let runner = ChapterRunner(toolchain: toolchain,
                                           settings: RunSettings(seed: seed, cellTimeLimit: cellTimeout, totalTimeLimit: timeout),
                                           exercises: selection,
                                           outputDirectory: URL(fileURLWithPath: output), log: log.line)
                let start = Date()
                let report = try runner.run(chapterAt: chapter)
                let failed = report.results.cells.filter { $0.status == .failed }
                for cell in failed {
                    let id = report.chapter.cells[cell.index].id
                    log.line("FAILED \(id): \(cell.error?.headline ?? "failed")")
                }
                log.line(String(format: "wrote %@ (%d cells, compile %.2f s, total %.2f s)", report.pagePath.path,
                                report.chapter.cells.count, report.compileSeconds, Date().timeIntervalSince(start)),
                         always: true)
                if !report.results.succeeded { throw ExitCode(1) }
            } catch let error as ChapterError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            } catch let error as ToolchainError {
                FileHandle.standardError.write(Data("d2l-run: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct SaveLibrary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "save-library",
            abstract: "Regenerate the library's copy of a chapter's .save cells.")

        @Argument(help: "The chapter's Markdown file.") var chapter = "Chapters/rnn-scratch.md"
        @Option(help: "The library file to write.") var library = "Sources/D2LSwift/Chapter/RNNScratch.swift"

        func run() throws {
            do {
                let parsed = try ChapterParser.parse(fileAt: chapter)
                let text = LibraryExtraction.librarySource(of: parsed)
                try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: library))
                print("wrote \(library) from \(parsed.cells.filter(\.tags.save).count) cells of \(chapter)")
            } catch let error as ChapterError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}

/// Progress on standard error: every line when it is a terminal, only summaries otherwise.
struct Terminal {
    let isInteractive = isatty(2) != 0

    func line(_ text: String) { line(text, always: false) }

    func line(_ text: String, always: Bool) {
        guard isInteractive || always || text.hasPrefix("FAILED") else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

extension CommandLine {
    /// This executable's path, symlinks resolved.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
