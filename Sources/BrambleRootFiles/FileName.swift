import Glibc

/// A directory entry's name as the kernel gave it: bytes, not necessarily UTF-8, so a root
/// holding a file named in Latin-1 is copied byte for byte instead of with U+FFFD in it.
struct FileName: Hashable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { bytes = Array(text.utf8) }

    /// The name as a NUL-terminated C string for the duration of `body`.
    func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// For messages only.
    var display: String { String(decoding: bytes, as: UTF8.self) }
}

/// An open file descriptor, closed when the value is dropped.
final class Descriptor {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

enum Directory {
    static let openFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC

    /// Opens `name` in `parent` as a directory, refusing a symbolic link (ELOOP) and anything
    /// that is not a directory (ENOTDIR), so a walk never leaves the tree it started in.
    static func open(_ name: FileName, in parent: Int32, path: String) throws(RootFileError) -> Descriptor {
        let fd = name.withCString { openat(parent, $0, openFlags) }
        guard fd >= 0 else { throw RootFileError(path: path, operation: "open directory", errno: errno) }
        return Descriptor(fd)
    }

    /// Opens an absolute or relative path as a directory; its last component must not be a link.
    static func open(path: String) throws(RootFileError) -> Descriptor {
        let fd = Glibc.open(path, openFlags)
        guard fd >= 0 else { throw RootFileError(path: path, operation: "open directory", errno: errno) }
        return Descriptor(fd)
    }

    /// The names in an open directory, without `.` and `..`.
    static func names(_ directory: Int32, path: String) throws(RootFileError) -> [FileName] {
        let copy = dup(directory)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let error = errno
            if copy >= 0 { close(copy) }
            throw RootFileError(path: path, operation: "read directory", errno: error)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [FileName] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw RootFileError(path: path, operation: "read directory", errno: errno) }
                break
            }
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes != [0x2e] && bytes != [0x2e, 0x2e] { names.append(FileName(bytes)) }
        }
        return names
    }

    /// lstat of `name` in `parent` (AT_SYMLINK_NOFOLLOW: a link is described, not followed).
    static func status(of name: FileName, in parent: Int32, path: String) throws(RootFileError) -> stat {
        var info = stat()
        guard name.withCString({ fstatat(parent, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else {
            throw RootFileError(path: path, operation: "stat", errno: errno)
        }
        return info
    }
}

extension stat {
    var fileType: mode_t { st_mode & S_IFMT }
    var isDirectory: Bool { fileType == S_IFDIR }
}
