import D2LSwift
import HostEnvironment
import XCTest

final class BLASEnvironmentTests: XCTestCase {
    func testAVX512MachinesGetOpenBLASsAVX512Kernels() {
        let flags: Set<String> = ["sse2", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
        XCTAssertEqual(BLASEnvironment.coreType(for: flags), "SkylakeX")
        XCTAssertEqual(BLASEnvironment.coreType(for: ["sse2", "avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASEnvironment.coreType(for: ["sse2", "sse3"]))
    }

    func testSettingsTheUserChoseAreKept() {
        let flags: Set<String> = ["avx2", "fma"]
        let added = BLASEnvironment.adding(to: ["PATH": "/bin"], cpuFlags: flags)
        XCTAssertEqual(added, ["PATH": "/bin", "OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell"])
        let chosen = ["OPENBLAS_NUM_THREADS": "2", "OPENBLAS_CORETYPE": "Zen"]
        XCTAssertEqual(BLASEnvironment.adding(to: chosen, cpuFlags: flags), chosen)
        XCTAssertEqual(BLASEnvironment.adding(to: [:], cpuFlags: []), ["OPENBLAS_NUM_THREADS": "1"])
    }

    func testCPUFlagsComeFromTheFirstFlagsLine() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu sse2 avx2\nflags\t\t: other\n"
        XCTAssertEqual(CPUFlags.parse(cpuinfo: cpuinfo), ["fpu", "sse2", "avx2"])
        XCTAssertEqual(CPUFlags.parse(cpuinfo: "no flags here"), [])
    }
}
