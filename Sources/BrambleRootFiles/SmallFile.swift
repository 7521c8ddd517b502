import Glibc

/// Reading and replacing small files (identity files, records) relative to a directory
/// descriptor, never through a link: a replaced file is written beside its name and
/// renamed over it, so a link in the image at `/etc/hostname` is replaced by a file rather
/// than followed to wherever it points (maybe outside the root).
enum SmallFile {
    /// Larger files are not identity files: reading stops with EFBIG.
    static let limit = 1 << 20

    static func read(_ name: FileName, in directory: Int32, path: String) throws(RootFileError) -> [UInt8] {
        let fd = name.withCString { openat(directory, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else { throw RootFileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw RootFileError(path: path, operation: "stat", errno: errno) }
        guard info.fileType == S_IFREG else { throw RootFileError(path: path, operation: "read (not a regular file)", errno: EINVAL) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RootFileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { return bytes }
            bytes += buffer[0..<n]
            if bytes.count > limit { throw RootFileError(path: path, operation: "read (larger than 1 MiB)", errno: EFBIG) }
        }
    }

    /// Replaces `name` with `contents`. An existing regular file's owner and mode are kept;
    /// anything else (nothing, a link) gives way to a file owned by the caller with `mode`.
    static func replace(_ name: String, in directory: Int32, with contents: [UInt8], mode: mode_t, path: String) throws(RootFileError) {
        let target = FileName(name)
        let temporary = FileName("." + name + ".bramble-new")
        var existing = stat()
        let hasRegular = target.withCString { fstatat(directory, $0, &existing, AT_SYMLINK_NOFOLLOW) } == 0 && existing.fileType == S_IFREG
        _ = temporary.withCString { unlinkat(directory, $0, 0) }
        let fd = temporary.withCString { openat(directory, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw RootFileError(path: path, operation: "create a temporary file beside", errno: errno) }
        var committed = false
        defer {
            if !committed { _ = temporary.withCString { unlinkat(directory, $0, 0) } }
        }
        do {
            defer { close(fd) }
            if hasRegular {
                guard fchown(fd, existing.st_uid, existing.st_gid) == 0 else { throw RootFileError(path: path, operation: "set owner", errno: errno) }
            }
            guard fchmod(fd, hasRegular ? existing.st_mode & 0o7777 : mode) == 0 else { throw RootFileError(path: path, operation: "set mode", errno: errno) }
            var offset = 0
            while offset < contents.count {
                let n = contents[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RootFileError(path: path, operation: "write", errno: errno)
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw RootFileError(path: path, operation: "flush", errno: errno) }
        }
        let renamed = temporary.withCString { old in target.withCString { new in renameat(directory, old, directory, new) } }
        guard renamed == 0 else { throw RootFileError(path: path, operation: "replace", errno: errno) }
        committed = true
    }
}
