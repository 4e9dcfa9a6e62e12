// swift-tools-version:6.0
import PackageDescription

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
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "Ccmark", pkgConfig: "libcmark",
                       providers: [.apt(["libcmark-dev"])]),
        .target(name: "CellProtocol"),
        .target(name: "D2LSwift", dependencies: ["CBLAS", "CellProtocol"]),
        .target(name: "Notebook", dependencies: ["Ccmark", "CellProtocol"]),
        // d2l-run does not call D2LSwift, but depends on it so that `swift run d2l-run` builds the
        // module and objects a chapter program is compiled against.
        .executableTarget(name: "d2l-run", dependencies: [
            "Notebook", "D2LSwift",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "d2l-bench", dependencies: [
            "D2LSwift",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "D2LSwiftTests", dependencies: ["D2LSwift"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
