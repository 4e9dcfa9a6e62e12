import ArgumentParser
import Foundation
import JupyterKernel
import Notebook

extension D2LRun {
    /// `d2l-run kernel CONNECTION_FILE`: the Jupyter kernel, as Jupyter starts it;
    /// `d2l-run kernel install`: the kernelspec that tells Jupyter how.
    struct KernelCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kernel",
            abstract: "Run as a Jupyter kernel, or install its kernelspec.",
            subcommands: [Start.self, Install.self],
            defaultSubcommand: Start.self)
    }
}

extension D2LRun.KernelCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Serve the Jupyter protocol on the connection file's ports (what Jupyter runs).",
            discussion: """
            Binds only the address the connection file names, and drops (and logs on standard \
            error) any message not signed with its key. Ends on a shutdown request or SIGTERM.
            """)

        @Argument(help: "The connection file Jupyter wrote for this kernel.") var connectionFile: String

        func run() throws {
            let connection = try exitingOnUserFacingErrors("d2l-run kernel") { try ConnectionFile(contentsOf: connectionFile) }
            let info = KernelInfo(implementationVersion: "0.1", languageVersion: NotebookWriter.swiftVersion,
                                  banner: "d2l-swift: Swift cells of Dive into Deep Learning's chapters")
            do {
                try Kernel.serve(connection, executor: KernelExecutor.forThisRunner(), info: info)
            } catch {
                FileHandle.standardError.write(Data("d2l-run kernel: \(error) (connection file \(connectionFile))\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the kernelspec (kernel.json) so that Jupyter lists this kernel.",
            discussion: "Without a flag, system-wide (/usr/local/share/jupyter), as ipykernel's installer.")

        @Flag(help: "Install for this user (the Jupyter data directory).") var user = false
        @Option(help: "Install under PATH/share/jupyter.") var prefix: String?
        @Flag(help: "Install into the active Python environment (VIRTUAL_ENV or CONDA_PREFIX).") var sysPrefix = false
        @Option(help: "The kernel's name.") var name = KernelSpec.defaultName

        func validate() throws {
            if [user, prefix != nil, sysPrefix].filter({ $0 }).count > 1 {
                throw ValidationError("choose one of --user, --prefix and --sys-prefix")
            }
        }

        func run() throws {
            let location: KernelSpec.Location = user ? .user : prefix.map { .prefix($0) } ?? (sysPrefix ? .sysPrefix : .system)
            try exitingOnUserFacingErrors("d2l-run kernel install") {
                let spec = try KernelSpec(name: name, executable: CommandLine.executablePath)
                let folder = try spec.install(at: location)
                print("Installed kernelspec \(name) in \(folder.path)")
            }
        }
    }
}

