internal import CBLAS
import Foundation

/// The memory allocator training runs on.
///
/// Programs that train (chapter programs, `d2l-bench`) link mimalloc ahead of the C library,
/// so that it serves every `malloc` of the process: each operation allocates its result, and
/// with two threads glibc's allocator cost 2-3% of an epoch more (its share of a profile
/// doubled from one thread to two), which mimalloc's per-thread pages do not.
///
/// Under glibc's allocator (a process not linked that way), ``apply()`` keeps tensor buffers
/// in the heap: a 1024x32 float buffer is 128 KiB, glibc's default threshold for serving an
/// allocation with its own `mmap`, and every training step would then map, fault in and unmap
/// hundreds of pages, which cost as much time in the kernel as the arithmetic itself.
public enum AllocatorTuning {
    /// Applies the settings (once per process; the trainer does it before training).
    public static func apply() { _ = applied }

    private static let applied: Void = {
        mallopt(M_MMAP_THRESHOLD, 256 << 20)
        mallopt(M_TRIM_THRESHOLD, 512 << 20)
    }()

    /// The allocator serving this process's `malloc`: "mimalloc" when the process was linked
    /// with it first, else "glibc malloc".
    public static var allocator: String {
        let everywhere = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        guard let mimalloc = dlsym(everywhere, "mi_malloc"), let malloc = dlsym(everywhere, "malloc"),
              mimalloc == malloc else { return "glibc malloc" }
        return "mimalloc"
    }
}
