internal import CBLAS

/// Keeps tensor buffers in the heap instead of fresh `mmap`s.
///
/// A 1024x32 float buffer is 128 KiB, glibc's default threshold for serving an allocation with
/// its own `mmap`: every training step would then map, fault in and unmap hundreds of pages,
/// which cost as much time in the kernel as the arithmetic itself.
public enum AllocatorTuning {
    /// Applies the settings (once per process; the trainer does it before training).
    public static func apply() { _ = applied }

    private static let applied: Void = {
        mallopt(M_MMAP_THRESHOLD, 256 << 20)
        mallopt(M_TRIM_THRESHOLD, 512 << 20)
    }()
}
