// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The library's hot loops (tanh, exp, softmax, sums) vectorise to the widest registers the
/// build machine has: AVX-512 doubles their speed over the x86-64 baseline's SSE. The
/// library is built where it runs (d2l-run compiles chapters against it), so it targets the
/// host's CPU; `D2L_PORTABLE=1 swift build` builds for any x86-64 instead.
var hostCPUSettings: [SwiftSetting] {
    let environment = ProcessInfo.processInfo.environment
    guard environment["D2L_PORTABLE"] == nil,
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    // The manifest cannot call package code: this reads /proc/cpuinfo as CPUFlags does, and
    // its AVX-512 test is BLASEnvironment.coreType's (AVX2 adds bmi2, which -target-cpu
    // haswell also assumes).
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) {
        // LLVM's tuning for AVX-512 CPUs keeps loops at 256 bits; turning that preference off
        // (a target feature, passed through the Clang importer whose target options Swift's
        // code generator shares) takes tanh from 20 to 11-15 us per 1024x32 matrix here.
        // D2L_AVX512 turns on the library's own kernels for narrow matrix products; D2L_FMA
        // fuses multiply-adds in the elementwise functions.
        return [.unsafeFlags(["-target-cpu", "skylake-avx512",
                              "-Xcc", "-Xclang", "-Xcc", "-target-feature", "-Xcc", "-Xclang", "-Xcc", "-prefer-256-bit"]),
                .define("D2L_AVX512"), .define("D2L_FMA")]
    }
    if flags.isSuperset(of: ["avx2", "fma", "bmi2"]) { return [.unsafeFlags(["-target-cpu", "haswell"]), .define("D2L_FMA")] }
    return []
}

let package = Package(
    name: "d2l-swift",
    products: [
        // Dynamic, so that a chapter's generated program links against the built library
        // instead of recompiling it.
        .library(name: "D2LSwift", type: .dynamic, targets: ["D2LSwift"]),
        .executable(name: "d2l-run", targets: ["d2l-run"]),
        .executable(name: "d2l-bench", targets: ["d2l-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "Ccmark", pkgConfig: "libcmark",
                       providers: [.apt(["libcmark-dev"])]),
        // No pkgConfig: Debian's libzmq.pc adds `-isystem` flags (Kerberos, PGM) that SwiftPM
        // prohibits with a warning on every build; zmq.h and libzmq are on the default paths.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // OpenSSL's libcrypto for the kernel's HMAC-SHA256: swift-crypto would compile its own
        // BoringSSL, minutes more in a first build.
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CellProtocol", swiftSettings: [.swiftLanguageMode(.v6)]),
        // The host's CPU flags and the OpenBLAS settings a program using D2LSwift starts with.
        .target(name: "HostEnvironment", swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "CProcessControl"),
        // The running side of the cell protocol, which chapter programs import next to D2LSwift:
        // cell markers, `display`, checks' failures, the live and kernel cell servers.
        .target(name: "ChapterRuntime", dependencies: ["CellProtocol"]),
        .target(name: "D2LSwift", dependencies: ["CBLAS", "CellProtocol", "ChapterRuntime"], swiftSettings: hostCPUSettings),
        .target(name: "Notebook", dependencies: [
            "Ccmark", "CellProtocol", "CProcessControl", "HostEnvironment",
            .product(name: "SwiftSyntax", package: "swift-syntax"),
            .product(name: "SwiftParser", package: "swift-syntax"),
            .product(name: "SwiftLexicalLookup", package: "swift-syntax"),
            .product(name: "SwiftIDEUtils", package: "swift-syntax"),
        ], resources: [.copy("Resources/page.css")], swiftSettings: [.swiftLanguageMode(.v6)]),
        // `d2l-run serve`: the chapter in the browser, over the same stages as `d2l-run`.
        .target(name: "NotebookServer", dependencies: [
            "Notebook",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], resources: [.copy("Resources/live")], swiftSettings: [.swiftLanguageMode(.v6)]),
        // `d2l-run kernel`: the Jupyter messaging protocol over ZeroMQ, for any CellExecutor.
        .target(name: "JupyterKernel", dependencies: [
            "CZeroMQ", "COpenSSLCrypto",
            .product(name: "SwiftSyntax", package: "swift-syntax"),
            .product(name: "SwiftParser", package: "swift-syntax"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        // The runner does not link D2LSwift: chapter programs do, against its release build
        // (`swift build -c release --product D2LSwift`, see Toolchain.locate), while the
        // runner itself, whose own work takes milliseconds, is built in debug.
        .executableTarget(name: "d2l-run", dependencies: [
            "Notebook", "NotebookServer", "JupyterKernel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        // Trains, so it links the allocator chapter programs link (AllocatorTuning.swift).
        .executableTarget(name: "d2l-bench", dependencies: [
            "D2LSwift", "HostEnvironment", "CBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [.linkedLibrary("mimalloc")]),
        .testTarget(name: "D2LSwiftTests", dependencies: ["D2LSwift", "HostEnvironment", "CellProtocol", "ChapterRuntime"]),
        // Where the checkout and its built d2l-run are, for both test targets below.
        .target(name: "ProjectPaths", path: "Tests/ProjectPaths"),
        // Unit tests of the runner's stages: seconds. The end-to-end ones compile and run
        // chapters (and drive Chromium): minutes. `swift test --filter NotebookTests` runs the first.
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "ProjectPaths"], exclude: ["Fixtures"]),
        .testTarget(name: "NotebookEndToEndTests", dependencies: ["Notebook", "ProjectPaths"]),
        .testTarget(name: "NotebookServerTests", dependencies: [
            "NotebookServer", "ProjectPaths",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // `serve` and its page in headless Chromium, through chromedriver.
        .testTarget(name: "NotebookServerEndToEndTests", dependencies: ["NotebookServer", "ProjectPaths"]),
        // A kernel executor that runs no Swift, for both kernel test targets.
        .target(name: "JupyterKernelTestSupport", dependencies: ["JupyterKernel"], path: "Tests/JupyterKernelTestSupport"),
        .testTarget(name: "JupyterKernelTests", dependencies: ["JupyterKernel", "JupyterKernelTestSupport", "ProjectPaths"]),
        // The kernel as a process, against Jupyter's own clients from a Python virtual environment.
        .testTarget(name: "JupyterKernelEndToEndTests", dependencies: ["JupyterKernel", "JupyterKernelTestSupport", "ProjectPaths"],
                    exclude: ["Python"]),
    ],
    // Swift 6 mode (data races checked) for the runner's targets; the library and the cell
    // runtime stay in Swift 5 mode: they write through C's `stdout`/`stderr` globals and keep
    // process-wide state (the seeded generator, the thread pool) by design, one per program.
    swiftLanguageModes: [.v5]
)
