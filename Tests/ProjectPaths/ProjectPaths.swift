import Foundation

/// Where this checkout and its built products are, for the test targets (found from this
/// file: Tests/ProjectPaths/ProjectPaths.swift).
public enum ProjectPaths {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `d2l-run`: release if `make` built it (with its library), else the debug build.
    public static var d2lRun: URL {
        for configuration in ["release", "debug"] {
            let candidate = root.appendingPathComponent(".build/\(configuration)/d2l-run")
            if FileManager.default.isExecutableFile(atPath: candidate.path),
               FileManager.default.fileExists(atPath: root.appendingPathComponent(".build/\(configuration)/libD2LSwift.so").path) {
                return candidate
            }
        }
        return root.appendingPathComponent(".build/debug/d2l-run")
    }
}
