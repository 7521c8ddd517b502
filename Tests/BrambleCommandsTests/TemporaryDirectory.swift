import Glibc

/// A directory under /tmp that a test owns: created on init, removed with everything in it
/// (links are removed, never followed) when the test drops it, so tests never touch real files.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/bramble-test-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw TemporaryDirectoryError(operation: "mkdtemp", path: "/tmp")
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { remove() }

    /// The absolute path of `relative` inside the directory.
    func file(_ relative: String) -> String { "\(path)/\(relative)" }

    func file(_ relative: String, size: Int) throws {
        try write(relative, bytes: [UInt8](repeating: 0x2a, count: size))
    }

    func file(_ relative: String, text: String) throws {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes a text file with an explicit mode (edits must keep it).
    func write(_ relative: String, _ text: String, mode: mode_t = 0o644) {
        let fd = open(file(relative), O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "cannot create \(relative)")
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, mode)
        close(fd)
    }

    func read(_ relative: String) -> String? {
        guard let handle = fopen(file(relative), "r") else { return nil }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, handle)
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func directory(_ relative: String) throws {
        guard mkdir(file(relative), 0o755) == 0 else { throw TemporaryDirectoryError(operation: "mkdir", path: relative) }
    }

    func link(_ relative: String, to target: String) throws {
        guard symlink(target, file(relative)) == 0 else { throw TemporaryDirectoryError(operation: "symlink", path: relative) }
    }

    /// The names in the directory itself, sorted (to prove no temporary file is left).
    func entries() -> [String] { Self.names(in: path).sorted() }

    func remove() { Self.removeTree(path) }

    private func write(_ relative: String, bytes: [UInt8]) throws {
        let fd = open(file(relative), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TemporaryDirectoryError(operation: "open", path: relative) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TemporaryDirectoryError(operation: "write", path: relative) }
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

    private static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in names(in: path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

struct TemporaryDirectoryError: Error {
    let operation: String
    let path: String
}
