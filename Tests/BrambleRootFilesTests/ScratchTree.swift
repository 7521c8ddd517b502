import Glibc

/// A directory under /tmp for one test, removed (links unlinked, never followed) at the end.
final class ScratchTree {
    let path: String

    init() {
        var template = Array("/tmp/bramble-roots-test-XXXXXX".utf8CString)
        precondition(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) } != nil, "mkdtemp")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { Self.remove(path) }

    func at(_ relative: String) -> String { path + "/" + relative }

    func directory(_ relative: String, mode: mode_t = 0o755) {
        precondition(mkdir(at(relative), mode) == 0, "mkdir \(relative)")
        chmod(at(relative), mode)
    }

    func file(_ relative: String, _ text: String, mode: mode_t = 0o644) {
        let fd = Glibc.open(at(relative), O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "create \(relative)")
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, mode)
        close(fd)
    }

    func link(_ relative: String, to target: String) {
        precondition(symlink(target, at(relative)) == 0, "symlink \(relative)")
    }

    func read(_ relative: String) -> String? {
        let fd = Glibc.open(at(relative), O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func status(_ relative: String) -> stat? {
        var info = stat()
        return lstat(at(relative), &info) == 0 ? info : nil
    }

    func exists(_ relative: String) -> Bool { status(relative) != nil }

    func linkTarget(_ relative: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(at(relative), &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        buffer[n] = 0
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func names(_ relative: String) -> [String] {
        guard let stream = opendir(relative.isEmpty ? path : at(relative)) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// An open descriptor of a directory in the tree, for the APIs that take one.
    func open(directory relative: String) -> Int32 {
        let fd = Glibc.open(relative.isEmpty ? path : at(relative), O_RDONLY | O_DIRECTORY)
        precondition(fd >= 0, "open \(relative)")
        return fd
    }

    private static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            if let stream = opendir(path) {
                var names: [String] = []
                while let entry = readdir(stream) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name != ".", name != ".." { names.append(name) }
                }
                closedir(stream)
                for name in names { remove(path + "/" + name) }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
