import Foundation

/// The OpenBLAS settings a program using D2LSwift should start with.
///
/// OpenBLAS reads them once, when it is loaded, so whoever starts the program sets them: the
/// runner for chapter programs, `d2l-bench` for itself (by starting itself again).
/// - One thread: the chapter's matrices are small and OpenBLAS's own threads slow them down
///   (PLATFORM.md); D2LSwift splits work across cores above BLAS.
/// - A core type matching the CPU: OpenBLAS 0.3.21 does not recognise recent Xeons and falls back
///   to its generic SSE3 ("Prescott") kernels, 4-5 times slower than its AVX-512 ones.
public enum BLASEnvironment {
    /// `environment` with the settings added; variables the user already set are kept.
    public static func adding(to environment: [String: String],
                              cpuFlags: Set<String> = CPUFlags.current) -> [String: String] {
        var result = environment
        if result["OPENBLAS_NUM_THREADS"] == nil { result["OPENBLAS_NUM_THREADS"] = "1" }
        if result["OPENBLAS_CORETYPE"] == nil, let core = coreType(for: cpuFlags) {
            result["OPENBLAS_CORETYPE"] = core
        }
        return result
    }

    /// OpenBLAS's name for the best kernels `flags` allow, or `nil` to let OpenBLAS choose.
    public static func coreType(for flags: Set<String>) -> String? {
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}

/// The instruction-set extensions the kernel reports for this CPU.
public enum CPUFlags {
    /// The `flags` of the first processor in `/proc/cpuinfo`; empty where there is none.
    public static let current: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        return parse(cpuinfo: text)
    }()

    /// The words after `flags :` on the first such line of a `/proc/cpuinfo` text.
    public static func parse(cpuinfo text: String) -> Set<String> {
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }
}
