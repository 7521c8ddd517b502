import BrambleFiles
import Glibc

/// Replacing a file so that a reader (the running server, a crash, a power cut) sees either
/// the old contents or the new, never a mix: write a temporary file beside it, fsync, rename
/// over the original, fsync the directory.
enum AtomicFile {
    static func replace(_ path: String, with contents: String) throws(FileAccessError) {
        try replace(path, bytes: Array(contents.utf8))
    }

    static func replace(_ path: String, bytes contents: [UInt8]) throws(FileAccessError) {
        let target = resolvedPath(path)
        let directory = parentDirectory(of: target)
        var template = Array("\(directory)/.\(baseName(of: target)).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileAccessError(path: directory, operation: "create a temporary file in", errno: errno) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            var original = stat()
            if stat(target, &original) == 0 {
                fchmod(fd, original.st_mode & 0o7777)
                _ = fchown(fd, original.st_uid, original.st_gid)  // keeps ownership when run as root; harmless otherwise
            } else {
                fchmod(fd, 0o644)
            }
            try writeAll(fd, contents, path: temporary)
            guard fsync(fd) == 0 else { throw FileAccessError(path: temporary, operation: "fsync", errno: errno) }
        }
        guard rename(temporary, target) == 0 else { throw FileAccessError(path: target, operation: "replace", errno: errno) }
        committed = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Follows a symlinked map (`/etc/bramble/nodes -> /srv/cluster/nodes`) so the rename
    /// replaces the file and not the link.
    static func resolvedPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> Substring {
        path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path[...]
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileAccessError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }
}

/// Serialises edits of one file between processes (two `bramble nodes add` at once, or the
/// CLI and the daemon's enrollment): an exclusive flock on the file's directory, which
/// needs no lock file and survives the rename that replaces the file itself.
enum DirectoryLock {
    static func withExclusiveLock<T>(forFile path: String, _ body: () throws -> T) throws -> T {
        let directory = AtomicFile.parentDirectory(of: AtomicFile.resolvedPath(path))
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: directory, operation: "open directory", errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FileAccessError(path: directory, operation: "lock", errno: errno) }
        }
        return try body()
    }
}
