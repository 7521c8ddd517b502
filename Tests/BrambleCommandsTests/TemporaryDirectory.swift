import Glibc

/// A scratch directory under /tmp for tests that need real files; `remove()` deletes it and
/// everything in it (links are removed, never followed).
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/bramble-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw TemporaryDirectoryError(operation: "mkdtemp", path: "/tmp") }
        path = String(cString: created)
    }

    func file(_ relative: String, size: Int) throws {
        try write(relative, bytes: [UInt8](repeating: 0x2a, count: size))
    }

    func file(_ relative: String, text: String) throws {
        try write(relative, bytes: Array(text.utf8))
    }

    func directory(_ relative: String) throws {
        guard mkdir(path + "/" + relative, 0o755) == 0 else { throw TemporaryDirectoryError(operation: "mkdir", path: relative) }
    }

    func link(_ relative: String, to target: String) throws {
        guard symlink(target, path + "/" + relative) == 0 else { throw TemporaryDirectoryError(operation: "symlink", path: relative) }
    }

    func remove() { Self.removeTree(path) }

    private func write(_ relative: String, bytes: [UInt8]) throws {
        let fd = open(path + "/" + relative, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TemporaryDirectoryError(operation: "open", path: relative) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TemporaryDirectoryError(operation: "write", path: relative) }
    }

    private static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR, let stream = opendir(path) {
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name != ".", name != ".." { names.append(name) }
            }
            closedir(stream)
            for name in names { removeTree(path + "/" + name) }
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
