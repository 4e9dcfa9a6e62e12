import ArgumentParser
import Foundation
import Notebook
import NotebookServer

extension D2LRun {
    /// `d2l-run serve CHAPTER.md`: the chapter in the browser, every cell editable, exercises
    /// run on the live trained model.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a chapter in the browser: edit and run its cells, save them back.",
            discussion: """
            Prints one line, the address to open (with its token), then runs the chapter's main \
            cells and keeps their state, so that exercises run on the trained model. Ctrl-C stops \
            the server and every process it started.
            """)

        @Argument(help: "The chapter's Markdown file.") var chapter: String
        @Option(help: "Port to listen on (0: a free port).") var port = 0
        @Option(help: "Address to listen on; anything but loopback exposes your machine.") var ip = "127.0.0.1"
        @Option(name: .shortAndLong, help: "Folder for caches and figures.") var output = "Output"
        @Option(help: "Seed for initialisation, data order and sampling.") var seed: UInt64 = 0
        @Option(help: "Seconds a single cell may run.") var cellTimeout: Double = 600

        func run() throws {
            let terminal = Terminal()
            ProcessReaper.prepare()
            let session = try exitingOnUserFacingErrors {
                try LiveSession(chapterAt: chapter, configuration: LiveSession.Configuration(
                    toolchain: try Toolchain.locate(executablePath: CommandLine.executablePath),
                    settings: RunSettings(seed: seed, cellTimeLimit: cellTimeout),
                    outputDirectory: URL(fileURLWithPath: output), log: { terminal.progress($0) }))
            }
            let server = NotebookServer(backend: session, host: ip, port: port)
            let start = Date()
            let host = ip.contains(":") ? "[\(ip)]" : ip
            let stopped = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var failure: Error?
            Task {
                do {
                    try await server.run { port in
                        print("http://\(host):\(port)/?token=\(server.token)")
                        fflush(nil)  // every output stream: naming C's global stdout is not concurrency-safe
                    }
                } catch {
                    failure = error
                }
                stopped.signal()
            }
            Task {
                await session.start()
                let state = await session.waitUntilSettled()
                terminal.always(String(format: "the chapter's main cells: %@ after %.1f s", state.rawValue, Date().timeIntervalSince(start)))
            }
            stopped.wait()
            if let failure {
                FileHandle.standardError.write(Data("d2l-run serve: \(failure)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
