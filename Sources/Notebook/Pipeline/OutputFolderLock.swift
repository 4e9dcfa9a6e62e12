import Foundation

/// One run of a chapter at a time in an output folder: a second `d2l-run` of the same chapter
/// waits for the first instead of compiling over the program the first is running, and an
/// output folder that cannot be made is one clear error.
struct OutputFolderLock {
    private let descriptor: Int32

    /// Makes `folder/.cache` and takes `name`'s lock there, waiting (and saying so) while
    /// another run holds it.
    init(folder: URL, name: String, log: (String) -> Void) throws {
        let cache = folder.appendingPathComponent(".cache")
        do {
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderError(folder: folder.path, reason: (error as NSError).localizedDescription)
        }
        let path = cache.appendingPathComponent("\(name).lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputFolderError(folder: folder.path, reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            log("another d2l-run of \(name) is writing to \(folder.path): waiting for it")
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// The output folder cannot be made or written.
public struct OutputFolderError: UserFacingError {
    public var folder: String
    public var reason: String
    public var message: String { "cannot write to the output folder \(folder): \(reason)" }
    public var description: String { message }
}
