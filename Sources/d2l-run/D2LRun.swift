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
        subcommands: [Run.self, Serve.self, SaveLibrary.self, KernelCommand.self],
        defaultSubcommand: Run.self)

    /// As ArgumentParser's, except that a usage mistake exits with 2 (its default is 64), the
    /// status documented for every problem with how the command was called.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
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
        @Flag(help: "Ignore cached results: run every cell again (the compiled program is reused only if its cells, the library and the compiler are unchanged).")
        var force = false
        @Flag(help: "Print where the run's time went, stage by stage.") var timings = false
        @Flag(help: "Run again whenever the chapter file changes (Ctrl-C to stop).") var watch = false

        func run() throws {
            let terminal = Terminal()
            ProcessReaper.prepare()
            let stopOnSignals = Self.stopOnSignals(terminal)
            defer { stopOnSignals.forEach { $0.cancel() } }
            try exitingOnUserFacingErrors {
                let toolchain = try Toolchain.locate(executablePath: CommandLine.executablePath)
                let selection: ExerciseSelection = exercises ? .all : (exerciseIDs.isEmpty ? .none : .only(Set(exerciseIDs)))
                var runner = ChapterRunner(toolchain: toolchain,
                                           settings: RunSettings(seed: seed, cellTimeLimit: cellTimeout, totalTimeLimit: timeout),
                                           exercises: selection,
                                           outputDirectory: URL(fileURLWithPath: output), log: { terminal.progress($0) })
                runner.usesCache = !force
                guard watch else {
                    if try !runOnce(runner, terminal: terminal) { throw ExitCode(1) }
                    return
                }
                try ChapterWatcher(path: chapter).watch { _ = try? runOnce(runner, terminal: terminal) }
            }
        }

        /// SIGINT or SIGTERM to the runner alone ends the chapter program and all it started;
        /// the last good page stays as it was (pages are only ever replaced whole).
        private static func stopOnSignals(_ terminal: Terminal) -> [DispatchSourceSignal] {
            [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    ProcessReaper.endAll()
                    terminal.always("d2l-run: stopped by signal \(number); the chapter program and all it started were ended, the last page kept")
                    Foundation.exit(128 + number)
                }
                source.resume()
                return source
            }
        }

        /// Runs the chapter once and reports; returns whether every cell ran as intended.
        /// Problems with the chapter itself are reported and rethrown.
        private func runOnce(_ runner: ChapterRunner, terminal: Terminal) throws -> Bool {
            let start = Date()
            let report: ChapterRunner.Report
            do {
                report = try runner.run(chapterAt: chapter)
            } catch let error as ChapterError where watch {
                terminal.always("\(error)")
                return false
            }
            for cell in report.results.cells {
                let id = report.chapter.cells[cell.index].id
                let errors = cell.errors.map { $0.headline + ($0.details.isEmpty ? "" : "\n" + $0.details) }
                if cell.status == .failed {
                    terminal.always("FAILED \(id): " + (errors.isEmpty ? "failed" : errors.joined(separator: "\n")))
                } else if cell.status == .notRun, !errors.isEmpty {
                    terminal.always("NOT RUN \(id): \(cell.note ?? "")\n" + errors.joined(separator: "\n"))
                }
            }
            let work = report.cacheHit ? "from the cache"
                : report.compileReused ? "compiled program reused" : String(format: "compile %.2f s", report.compileSeconds)
            terminal.always(String(format: "wrote %@ (%d cells, %@, total %.2f s)", report.pagePath.path,
                                   report.chapter.cells.count, work, Date().timeIntervalSince(start)))
            if timings { terminal.always("where the time went:\n" + report.stages.rendered()) }
            return report.results.succeeded
        }
    }

    struct SaveLibrary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "save-library",
            abstract: "Copy chapters' .save cells into the library, one file per chapter.",
            discussion: """
            Each chapter's cells tagged .save go to \(LibraryExtraction.chapterFolder)/NAME.swift of the \
            d2l-swift checkout this is run from, NAME made from the chapter's file name \
            (rnn-scratch.md -> RNNScratch.swift), or to the folder given with --into. With no \
            chapter, every chapter in Chapters/ that has .save cells.
            """)

        @Argument(help: "The chapters' Markdown files (default: every chapter in Chapters/ with .save cells).")
        var chapters: [String] = []
        @Option(help: ArgumentHelp("The folder to write the library files into (default: the checkout's library).",
                                   valueName: "DIR"))
        var into: String?

        func run() throws {
            let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
            try exitingOnUserFacingErrors {
                let saved = try LibraryExtraction.save(chapters: chapters, into: into, from: directory)
                for file in saved {
                    if let library = file.libraryPath {
                        print("wrote \(library) from \(file.cellCount) cells of \(file.chapterPath)")
                    } else {
                        print("\(file.chapterPath) has no .save cells: nothing written")
                    }
                }
            }
        }
    }
}

extension CommandLine {
    /// This executable's path, symlinks resolved.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
