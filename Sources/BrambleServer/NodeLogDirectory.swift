import Glibc

/// The per-node boot logs: `<state-dir>/logs/NAME.log`, one line per event.
///
/// Each line goes out in one `write(2)` on a descriptor opened with `O_APPEND`, so a crash
/// loses at most the line in flight and a reader never sees half a line. A file that would
/// pass ``limit`` bytes is renamed to `NAME.log.1` (replacing the previous one) first: a
/// node's log takes at most twice the limit. Opening per line keeps no descriptor per node
/// (a 750-node machine) and survives an operator deleting or rotating the files.
///
/// Every file is reached through the `logs/` directory's descriptor with `O_NOFOLLOW`
/// (see ``DirectoryHandle``): the account the daemon drops to owns the directory, and a
/// link it left there must not lead root (at start-up) or anyone else somewhere else.
/// The lines are already escaped (``BootLogLine``): nothing a client sent can break one.
struct NodeLogDirectory {
    let directory: DirectoryHandle
    let limit: Int

    static let defaultLimit = 1 << 20

    init(directory: DirectoryHandle, limit: Int = Self.defaultLimit) {
        self.directory = directory
        self.limit = limit
    }

    var path: String { directory.path }

    private func fileName(forNode name: String) -> String { "\(name).log" }

    /// Gives the logs a run as root left behind to the account the daemon drops to, so it
    /// can go on appending to them. A link, a hard link or anything but a regular file under
    /// a log's name is refused: the account owns this directory and could have planted it.
    func handOver(to owner: PrivilegeDrop.Account) throws(UnsafeFileError) {
        for name in try directory.names() where name.hasSuffix(".log") || name.hasSuffix(".log.1") {
            close(try directory.openFile(name, flags: O_RDONLY | O_NONBLOCK, create: false, owner: owner))
        }
    }

    func append(_ line: String, toNode name: String) throws(UnsafeFileError) {
        let file = fileName(forNode: name)
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var status = stat()
        if fstatat(directory.fd, file, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG,
           Int(status.st_size) + bytes.count > limit, Int(status.st_size) > 0 {
            guard renameat(directory.fd, file, directory.fd, file + ".1") == 0 else {
                throw .system(SystemCallError("rename(\(directory.pathOf(file)), \(directory.pathOf(file)).1)"))
            }
        }
        let fd = try directory.openFile(file, flags: O_WRONLY | O_APPEND | O_NONBLOCK, create: true)
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw .system(SystemCallError("write(\(directory.pathOf(file)))", errno: written < 0 ? errno : EIO)) }
    }
}
