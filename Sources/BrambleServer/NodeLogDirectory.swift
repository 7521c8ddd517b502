import BrambleWire
import Glibc

/// The per-node boot logs: `<state-dir>/logs/NAME.log`, one line per event.
///
/// Each line goes out in one `writev(2)` on a descriptor opened with `O_APPEND`, so a crash
/// loses at most the line in flight and a reader never sees half a line. A file that would
/// pass ``limit`` bytes is renamed to `NAME.log.1` (replacing the previous one) first: a
/// node's log takes at most twice the limit.
///
/// A node's descriptor stays open for ``descriptorLifetime`` after it is opened, so a node
/// logging many events in a row (a DHCP exchange, a boot's files) costs one `write` each
/// instead of a stat, an open, a write and a close. After that the name is looked up again:
/// while it still leads to the file the descriptor has open, the descriptor is kept for
/// another lifetime (one `fstatat` instead of a stat, an open and a close); otherwise the
/// file is opened again by name, so an operator deleting or rotating a log is followed
/// within that time; at most
/// ``maximumOpenFiles`` stay open (a 750-node machine keeps no descriptor per node), and
/// those idle past their lifetime are closed at the next append.
///
/// Every file is reached through the `logs/` directory's descriptor with `O_NOFOLLOW`
/// (see ``DirectoryHandle``): the account the daemon drops to owns the directory, and a
/// link it left there must not lead root (at start-up) or anyone else somewhere else.
/// The lines are already escaped (``BootLogLine``): nothing a client sent can break one.
final class NodeLogDirectory {
    let directory: DirectoryHandle
    let limit: Int
    private let clock: () -> MonotonicInstant

    /// One node's log, open for appending.
    private struct OpenLog {
        let fd: Int32
        /// The file's size: what it held when opened plus what was appended since.
        var size: Int
        let closesAt: MonotonicInstant
        /// The file's device and inode when they are known (the file existed when it was
        /// opened), else 0: what tells, once the lifetime is over, whether the name still
        /// leads to this file.
        let device: UInt64
        let inode: UInt64
    }

    private var openLogs: [String: OpenLog] = [:]
    /// When the next sweep of expired descriptors is due.
    private var nextSweep: MonotonicInstant

    static let defaultLimit = 1 << 20
    /// How long a node's log descriptor is reused before the file is opened again by name.
    static let descriptorLifetime = Duration.seconds(1)
    /// Descriptors kept open at most: the map's nodes logging at once on a busy hub, well
    /// inside the `LimitNOFILE` the service unit sets (dist/bramble.service).
    static let maximumOpenFiles = 256

    init(directory: DirectoryHandle, limit: Int = NodeLogDirectory.defaultLimit, clock: @escaping () -> MonotonicInstant = MonotonicInstant.now) {
        self.directory = directory
        self.limit = limit
        self.clock = clock
        nextSweep = clock() + Self.descriptorLifetime
    }

    deinit { closeAll() }

    var path: String { directory.path }

    /// Descriptors open now (for tests).
    var openFileCount: Int { openLogs.count }
    /// Logs opened by name so far (for tests: a descriptor renewed is not opened again).
    private(set) var filesOpened = 0

    private func fileName(forNode name: String) -> String { "\(name).log" }

    /// Gives the logs a run as root left behind to the account the daemon drops to, so it
    /// can go on appending to them. A link, a hard link or anything but a regular file under
    /// a log's name is refused: the account owns this directory and could have planted it.
    func handOver(to owner: PrivilegeDrop.Account) throws(UnsafeFileError) {
        closeAll()
        for name in try directory.names() where name.hasSuffix(".log") || name.hasSuffix(".log.1") {
            close(try directory.openFile(name, flags: O_RDONLY | O_NONBLOCK, create: false, owner: owner))
        }
    }

    func append(_ line: String, toNode name: String) throws(UnsafeFileError) {
        try append(count: line.utf8.count + 1, toNode: name) { fd in Self.writeLine(line, to: fd) }
    }

    /// Whole lines, each ending in a newline, appended in one `write`: `lines` is what a
    /// caller built in a buffer it reuses, so no string is made of it.
    func append(lines: UnsafeRawBufferPointer, toNode name: String) throws(UnsafeFileError) {
        try append(count: lines.count, toNode: name) { fd in Glibc.write(fd, lines.baseAddress, lines.count) }
    }

    /// Appends `count` bytes that `write` writes to the descriptor it is given. A node
    /// logging again within the descriptor's lifetime costs one dictionary lookup and the
    /// write.
    private func append(count: Int, toNode name: String, write: (Int32) -> Int) throws(UnsafeFileError) {
        let now = clock()
        if now >= nextSweep { closeExpired(now: now) }
        if let index = openLogs.index(forKey: name) {
            var open = openLogs.values[index]
            if now >= open.closesAt, let renewed = renewed(open, node: name, now: now) {
                open = renewed
                openLogs.values[index] = renewed
            }
            if now < open.closesAt, open.size + count <= limit || open.size == 0 {
                let written = write(open.fd)
                guard written == count else { throw failure(written: written, node: name, fd: open.fd) }
                openLogs.values[index].size += written
                return
            }
            openLogs.remove(at: index)
            close(open.fd)
        }
        var log = try open(node: name, appending: count, now: now)
        let written = write(log.fd)
        guard written == count else { throw failure(written: written, node: name, fd: log.fd) }
        log.size += written
        openLogs[name] = log
    }

    /// `log` kept for another lifetime, with the file's size as it is now, when the node's
    /// name still leads to the file it has open; nil when the file must be opened again.
    private func renewed(_ log: OpenLog, node name: String, now: MonotonicInstant) -> OpenLog? {
        guard log.inode != 0 else { return nil }
        var status = stat()
        guard fstatat(directory.fd, fileName(forNode: name), &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG,
              UInt64(status.st_dev) == log.device, UInt64(status.st_ino) == log.inode
        else { return nil }
        return OpenLog(fd: log.fd, size: Int(status.st_size), closesAt: now + Self.descriptorLifetime, device: log.device, inode: log.inode)
    }

    /// A write cut short or refused: the descriptor is closed (the next line opens the file
    /// again) and the error names the file.
    private func failure(written: Int, node name: String, fd: Int32) -> UnsafeFileError {
        let error = written < 0 ? errno : EIO
        openLogs.removeValue(forKey: name)
        close(fd)
        return .system(SystemCallError("write(\(directory.pathOf(fileName(forNode: name))))", errno: error))
    }

    /// The line and its newline in one `writev`: one write to the file (O_APPEND appends it
    /// whole), without copying the line to add the newline.
    private static func writeLine(_ line: String, to fd: Int32) -> Int {
        var line = line
        var newline = UInt8(ascii: "\n")
        return line.withUTF8 { text in
            withUnsafeMutablePointer(to: &newline) { newline in
                var vectors = (
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: text.baseAddress), iov_len: text.count),
                    iovec(iov_base: UnsafeMutableRawPointer(newline), iov_len: 1))
                return withUnsafeMutablePointer(to: &vectors) {
                    $0.withMemoryRebound(to: iovec.self, capacity: 2) { writev(fd, $0, 2) }
                }
            }
        }
    }

    /// Opens the node's log by name, renaming it to `.1` first when `count` more bytes
    /// would take it past ``limit``; the descriptor is kept (see the type's comment).
    private func open(node name: String, appending count: Int, now: MonotonicInstant) throws(UnsafeFileError) -> OpenLog {
        let file = fileName(forNode: name)
        var size = 0
        var (device, inode): (UInt64, UInt64) = (0, 0)
        var status = stat()
        if fstatat(directory.fd, file, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG {
            size = Int(status.st_size)
            (device, inode) = (UInt64(status.st_dev), UInt64(status.st_ino))
            if size + count > limit, size > 0 {
                guard renameat(directory.fd, file, directory.fd, file + ".1") == 0 else {
                    throw .system(SystemCallError("rename(\(directory.pathOf(file)), \(directory.pathOf(file)).1)"))
                }
                size = 0
                (device, inode) = (0, 0)
            }
        }
        let fd = try directory.openFile(file, flags: O_WRONLY | O_APPEND | O_NONBLOCK, create: true)
        filesOpened += 1
        if openLogs.count >= Self.maximumOpenFiles {
            closeExpired(now: now)
            if openLogs.count >= Self.maximumOpenFiles { closeAll() }
        }
        return OpenLog(fd: fd, size: size, closesAt: now + Self.descriptorLifetime, device: device, inode: inode)
    }

    /// Closes the descriptors past their lifetime.
    private func closeExpired(now: MonotonicInstant) {
        nextSweep = now + Self.descriptorLifetime
        for (name, log) in openLogs.filter({ now >= $0.value.closesAt }) {
            close(log.fd)
            openLogs[name] = nil
        }
    }

    /// Closes every descriptor kept open; the next line of each node opens its file again.
    func closeAll() {
        for log in openLogs.values { close(log.fd) }
        openLogs.removeAll()
    }
}
