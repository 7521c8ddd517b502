import Glibc

/// The per-node boot logs: `<state-dir>/logs/NAME.log`, one line per event.
///
/// Each line goes out in one `write(2)` on a descriptor opened with `O_APPEND`, so a crash
/// loses at most the line in flight and a reader never sees half a line. A file that would
/// pass ``limit`` bytes is renamed to `NAME.log.1` (replacing the previous one) first: a
/// node's log takes at most twice the limit. Opening per line keeps no descriptor per node
/// (a 750-node machine) and survives an operator deleting or rotating the files.
struct NodeLogDirectory {
    let path: String
    let limit: Int

    static let defaultLimit = 1 << 20

    init(path: String, limit: Int = Self.defaultLimit) {
        self.path = path
        self.limit = limit
    }

    func filePath(forNode name: String) -> String { "\(path)/\(name).log" }

    /// Gives the logs a run as root left behind to the account the daemon drops to, so it
    /// can go on appending to them. Links are left alone, never followed.
    func handOver(to uid: uid_t, _ gid: gid_t) throws(SystemCallError) {
        guard let directory = opendir(path) else { throw SystemCallError("opendir(\(path))") }
        defer { closedir(directory) }
        let fd = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".log") || name.hasSuffix(".log.1") else { continue }
            var status = stat()
            guard fstatat(fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            if status.st_uid != uid, fchownat(fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 { throw SystemCallError("chown(\(path)/\(name))") }
        }
    }

    func append(_ line: String, toNode name: String) throws(SystemCallError) {
        let file = filePath(forNode: name)
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var status = stat()
        if stat(file, &status) == 0, Int(status.st_size) + bytes.count > limit, Int(status.st_size) > 0 {
            guard rename(file, file + ".1") == 0 else { throw SystemCallError("rename(\(file), \(file).1)") }
        }
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemCallError("open(\(file))") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw SystemCallError("write(\(file))", errno: written < 0 ? errno : EIO) }
    }
}
