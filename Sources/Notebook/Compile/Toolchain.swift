import CellProtocol
import Foundation

/// Where the compiler and the built D2LSwift library are: everything needed to compile a
/// chapter program against the library without rebuilding it.
public struct Toolchain: Equatable, Sendable {
    /// The `swiftc` to run.
    public var swiftc: String
    /// The build folder holding `Modules/` and `libD2LSwift.so`.
    public var buildDirectory: String
    /// Folders with the module maps of the C libraries D2LSwift imports.
    public var moduleMapDirectories: [String]
    /// Folder with the project's `Data/`: the books d2l-swift ships.
    public var dataDirectory: String
    /// Files whose contents decide whether cached results are still valid, besides the data:
    /// the built library and its module.
    public var fingerprintFiles: [String]
    /// Files that count by their path, size and modification time, as the compiler does: the
    /// runner, whose 90 MB would take 0.1-0.2 s of every run to hash.
    public var stampedFiles: [String] = []
    /// The library's sources (`Sources/D2LSwift`), when known: the kernel's `inspect` shows
    /// their public declarations and doc comments.
    public var librarySources: String?

    public init(swiftc: String, buildDirectory: String, moduleMapDirectories: [String], dataDirectory: String) {
        self.swiftc = swiftc
        self.buildDirectory = buildDirectory
        self.moduleMapDirectories = moduleMapDirectories
        self.dataDirectory = dataDirectory
        self.fingerprintFiles = ["\(buildDirectory)/libD2LSwift.so", "\(buildDirectory)/Modules/D2LSwift.swiftmodule"]
    }

    /// Where the program of the chapter at `chapterPath` looks for data files: the chapter's
    /// own folders, then the shipped books (``DataSearchPath``).
    public func dataFolders(forChapterAt chapterPath: String) -> [String] {
        DataSearchPath.folders(forChapterAt: chapterPath, shipped: dataDirectory)
    }

    /// A hash of everything outside the chapter that a run's results depend on: the library,
    /// the compiler (its path, size and modification time) and every data file.
    public func fingerprint() -> String {
        var hash = ContentHash()
        for file in fingerprintFiles { hash.combine(fileAt: file) }
        // Without the shared library, the object files linked instead.
        for object in libraryArguments() where object.hasSuffix(".o") { hash.combine(fileAt: object) }
        for file in [URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().path] + stampedFiles {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            hash.combine("\(file) \(attributes?[.size] ?? 0) \((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory))?.sorted() ?? []
        for name in files { hash.combine(fileAt: "\(dataDirectory)/\(name)") }
        return hash.hex
    }

    /// The toolchain for a `d2l-run` binary at `executablePath` inside a SwiftPM build folder
    /// of the package (`.build/debug/d2l-run` as `make` builds it, or a release build): the
    /// package root is the folder above `.build`, and chapters link against the release build
    /// of D2LSwift there, `.build/release`, whatever the runner's own configuration (a debug
    /// D2LSwift trains ten times slower). `make build` builds both.
    public static func locate(executablePath: String) throws -> Toolchain {
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        var root = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            let parent = root.deletingLastPathComponent()
            guard parent.path != root.path else { throw ToolchainError("no Package.swift above \(executable.path)") }
            root = parent
        }
        let build = root.appendingPathComponent(".build/release").resolvingSymlinksInPath()
        guard FileManager.default.fileExists(atPath: build.appendingPathComponent("Modules/D2LSwift.swiftmodule").path) else {
            throw ToolchainError("the release D2LSwift that chapters link against is not built in \(build.path); "
                                 + "run `make build` (or `swift build -c release --product D2LSwift`)")
        }
        guard let swiftc = findInPath("swiftc") else { throw ToolchainError("swiftc is not on PATH") }
        var toolchain = Toolchain(swiftc: swiftc, buildDirectory: build.path,
                                  moduleMapDirectories: [root.appendingPathComponent("Sources/CBLAS").path],
                                  dataDirectory: root.appendingPathComponent("Data").path)
        // The runner itself decides how output is read: a new build of it invalidates results.
        toolchain.stampedFiles.append(executable.path)
        toolchain.librarySources = root.appendingPathComponent("Sources/D2LSwift").path
        return toolchain
    }

    /// The first executable called `name` on `PATH` (or `$SWIFTC` for swiftc).
    public static func findInPath(_ name: String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if name == "swiftc", let explicit = environment["SWIFTC"] { return explicit }
        for folder in (environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The swiftc arguments that compile `source` into `output` against D2LSwift.
    ///
    /// Debug info makes crash backtraces name chapter lines; -Onone keeps compiling fast, as
    /// the hot loops are in the library, which is compiled optimised.
    func arguments(source: String, output: String) -> [String] {
        commonArguments + ["-module-name", "ChapterProgram"] + allocatorArguments + libraryArguments() + [source, "-o", output]
    }

    /// mimalloc, linked ahead of the C library so that it serves the program's `malloc`: with
    /// two training threads it saves 2-3% of an epoch (see D2LSwift's AllocatorTuning).
    private var allocatorArguments: [String] { ["-lmimalloc"] }

    /// An expression whose type-checking takes longer than this many milliseconds is named by
    /// a warning at its cell's line (one such expression once cost a chapter 8 s of compiling,
    /// and nothing said where).
    static let slowExpressionMilliseconds = 1000

    /// The arguments of every compile: fast, with debug information, against the library.
    private var commonArguments: [String] {
        ["-Onone", "-g", "-diagnostic-style=llvm", "-I", "\(buildDirectory)/Modules",
         "-Xfrontend", "-warn-long-expression-type-checking=\(Self.slowExpressionMilliseconds)"]
            + moduleMapDirectories.flatMap { ["-I", $0] }
    }

    /// A live program: its symbols are exported, so that cell libraries loaded into it later
    /// find the chapter's declarations (`-enable-testing` keeps internal ones visible).
    func liveProgramArguments(source: String, output: String) -> [String] {
        arguments(source: source, output: output) + ["-enable-testing", "-Xlinker", "--export-dynamic"]
    }

    /// Emits the live program's module, which cell libraries import as `ChapterProgram`.
    func liveModuleArguments(source: String, moduleDirectory: String) -> [String] {
        commonArguments + ["-module-name", "ChapterProgram", "-enable-testing", "-emit-module",
                           "-emit-module-path", "\(moduleDirectory)/ChapterProgram.swiftmodule", source]
    }

    /// A cell compiled alone into a shared library against the live program's module; the
    /// program's own symbols resolve when the running program loads it.
    func liveCellArguments(source: String, moduleDirectory: String, output: String) -> [String] {
        commonArguments + ["-I", moduleDirectory, "-module-name", "LiveCell", "-emit-library"] + libraryArguments()
            + ["-Xlinker", "--allow-shlib-undefined", source, "-o", output]
    }

    /// A kernel cell (`d2l-run kernel`) compiled into the library `output` and its module
    /// `moduleName` in `cellDirectory`, against the modules of the cells before it (in
    /// `cellDirectory`) and the base program's (in `baseModuleDirectory`).
    ///
    /// Access control is off so that a later cell sees a cell's internal and private names;
    /// whole-module with the module emitted in the same job, and lld, make it the fastest
    /// compile (PLATFORM.md: "Chained cells in forked state holders"). The symbols of earlier
    /// cells and of the program resolve when the holder loads the library.
    func chainedCellArguments(source: String, moduleName: String, cellDirectory: String,
                              baseModuleDirectory: String, output: String) -> [String] {
        commonArguments + ["-I", cellDirectory, "-I", baseModuleDirectory, "-module-name", moduleName,
                           "-emit-library", "-emit-module", "-emit-module-path", "\(cellDirectory)/\(moduleName).swiftmodule",
                           "-enable-testing", "-Xfrontend", "-disable-access-control", "-Xfrontend", "-enable-private-imports",
                           "-wmo", "-no-emit-module-separately-wmo", "-use-ld=lld"]
            + libraryArguments() + ["-Xlinker", "--allow-shlib-undefined", source, "-o", output]
    }

    /// Links the shared library when the build made it (`swift build` builds every product);
    /// otherwise the library's object files, which `swift run d2l-run` alone leaves behind.
    func libraryArguments() -> [String] {
        if FileManager.default.fileExists(atPath: "\(buildDirectory)/libD2LSwift.so") {
            return ["-L", buildDirectory, "-lD2LSwift", "-Xlinker", "-rpath", "-Xlinker", buildDirectory]
        }
        let objects = ["D2LSwift", "ChapterRuntime", "CellProtocol"].flatMap { target -> [String] in
            let folder = "\(buildDirectory)/\(target).build"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.filter { $0.hasSuffix(".swift.o") }.sorted().map { "\(folder)/\($0)" }
        }
        return objects + ["-lopenblas"]
    }
}

/// The toolchain could not be found or used.
public struct ToolchainError: UserFacingError {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
