import Glibc

/// A directory under /tmp that a test owns: created on init (`/tmp/PREFIX-XXXXXX`, mkdtemp),
/// removed with everything in it when the test drops it (links are removed, never
/// followed), so tests never touch real files. Glibc only, so any test target can use it.
public final class TemporaryDirectory {
    public let path: String

    public init(prefix: String = "bramble-test") throws(TemporaryDirectoryError) {
        path = try Self.make(prefix: prefix)
    }

    deinit { remove() }

    /// A fresh directory `/tmp/PREFIX-XXXXXX` that the caller removes (``removeTree(_:)``):
    /// for a test whose directory must outlive a scope, or that hands it to a server.
    public static func make(prefix: String = "bramble-test") throws(TemporaryDirectoryError) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw TemporaryDirectoryError(operation: "mkdtemp", path: "/tmp/\(prefix)-XXXXXX", code: errno)
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The absolute path of `relative` inside the directory.
    public func file(_ relative: String) -> String { "\(path)/\(relative)" }

    /// Writes `size` bytes of 0x2a.
    public func file(_ relative: String, size: Int) throws(TemporaryDirectoryError) {
        try write(relative, bytes: [UInt8](repeating: 0x2a, count: size))
    }

    public func file(_ relative: String, text: String) throws(TemporaryDirectoryError) {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes bytes with an explicit mode (0o644 unless given).
    public func write(_ relative: String, bytes: [UInt8], mode: mode_t = 0o644) throws(TemporaryDirectoryError) {
        let fd = open(file(relative), O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw TemporaryDirectoryError(operation: "open", path: relative, code: errno) }
        defer { close(fd) }
        fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TemporaryDirectoryError(operation: "write", path: relative, code: errno) }
            offset += written
        }
    }

    /// Writes a text file with an explicit mode (edits must keep it); a failure traps, as a
    /// broken test fixture should.
    public func write(_ relative: String, _ text: String, mode: mode_t = 0o644) {
        do {
            try write(relative, bytes: Array(text.utf8), mode: mode)
        } catch {
            preconditionFailure("cannot write \(relative): \(error)")
        }
    }

    public func read(_ relative: String) -> String? {
        readBytes(relative).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The file's bytes, or nil when it cannot be opened (a link is not followed).
    public func readBytes(_ relative: String) -> [UInt8]? {
        let fd = open(file(relative), O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    public func directory(_ relative: String, mode: mode_t = 0o755) throws(TemporaryDirectoryError) {
        guard mkdir(file(relative), mode) == 0 else { throw TemporaryDirectoryError(operation: "mkdir", path: relative, code: errno) }
        chmod(file(relative), mode)
    }

    public func link(_ relative: String, to target: String) throws(TemporaryDirectoryError) {
        guard symlink(target, file(relative)) == 0 else { throw TemporaryDirectoryError(operation: "symlink", path: relative, code: errno) }
    }

    /// The names in the directory itself, sorted (to prove no temporary file is left).
    public func entries() -> [String] { Self.names(in: path).sorted() }

    public func remove() { Self.removeTree(path) }

    /// Removes `path` and everything under it; links are removed, never followed.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in names(in: path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    private static func names(in path: String) -> [String] {
        guard let stream = opendir(path) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}

/// What could not be done in a test's temporary directory, and why (errno's text).
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
