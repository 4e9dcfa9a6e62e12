import Foundation

extension AtomicFile {
    /// Why ``replaceContents(ofFileAt:with:beforeRename:)`` could not write.
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public var path: String
        /// The call that failed (`realpath`, `open`, `write`, `rename`...).
        public var operation: String
        public var code: Int32

        public var description: String { "cannot write \(path): \(operation) failed: \(String(cString: strerror(code)))" }
    }

    /// Replaces the content of an existing file with `data` so that readers see the old bytes or
    /// the new, never a mix, and the file stays the file its owner made:
    ///
    /// - a symbolic link is followed (every link in the path resolved first) and its target is
    ///   replaced, so the link stays a link;
    /// - the new file gets the old one's permission bits (setuid/setgid/sticky included) and, when
    ///   allowed (always as root), its owner and group: a plain temp+rename would leave the
    ///   umask's mode and the writer's ownership, which is how Jupyter's atomic save broke files'
    ///   permissions;
    /// - the data is flushed to disk before the rename.
    ///
    /// `beforeRename` runs when the new file is complete, immediately before the rename; if it
    /// throws, the temporary file is removed, the target is untouched and its error is rethrown.
    ///
    /// Not kept: hard links (the path gets a new inode), extended attributes and ACLs. A file
    /// that is not writable is refused (`EACCES`) even when its folder is.
    /// ``write(_:to:)`` is unchanged for its callers.
    public static func replaceContents(ofFileAt path: String, with data: Data,
                                       beforeRename: () throws -> Void = {}) throws {
        func failure(_ operation: String, _ code: Int32 = errno) -> WriteError {
            WriteError(path: path, operation: operation, code: code)
        }
        guard let resolved = realpath(path, nil) else { throw failure("realpath") }
        let target = String(cString: resolved)
        free(resolved)
        var status = stat()
        guard stat(target, &status) == 0 else { throw failure("stat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw failure("stat", EINVAL) }
        guard access(target, W_OK) == 0 else { throw failure("access") }

        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.\(url.lastPathComponent).\(getpid()).\(UUID().uuidString.prefix(8)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("open") }
        var isOpen = true
        var keep = false
        defer {
            if isOpen { close(descriptor) }
            if !keep { unlink(temporary) }
        }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("write")
                }
                offset += written
            }
        }
        // Ownership first: chown clears the setuid and setgid bits that chmod then restores.
        if status.st_uid != geteuid() || status.st_gid != getegid() {
            if fchown(descriptor, status.st_uid, status.st_gid) != 0 {
                if geteuid() == 0 { throw failure("fchown") }
                // Not root: the group can still be kept when the writer belongs to it.
                _ = fchown(descriptor, uid_t.max, status.st_gid)
            }
        }
        guard fchmod(descriptor, status.st_mode & 0o7777) == 0 else { throw failure("fchmod") }
        guard fsync(descriptor) == 0 else { throw failure("fsync") }
        isOpen = false
        guard close(descriptor) == 0 else { throw failure("close") }
        try beforeRename()
        guard rename(temporary, target) == 0 else { throw failure("rename") }
        keep = true
        // The rename itself reaches the disk with the folder's entry.
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}
