import BrambleDHCP
import Glibc

/// The dynamic pool's append-only journal in the state directory.
///
/// Each grant is written and fdatasync'ed before its ACK is sent, so a `kill -9` or power
/// cut at any moment loses no lease a client was told it has. A crash mid-write can leave a
/// torn last line; opening the journal cuts it off so the next entry starts on a fresh line.
public final class LeaseJournalFile {
    public let path: String
    private var fd: Int32
    private(set) public var entryCount: Int

    /// Opens (creating) the journal and returns it with the entries it holds.
    public static func open(_ path: String) throws(SystemCallError) -> (LeaseJournalFile, [LeaseJournalEntry]) {
        let bytes = try readAll(path)
        var entries: [LeaseJournalEntry] = []
        var intactLength = 0
        var lineStart = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            let line = String(decoding: bytes[lineStart..<index], as: UTF8.self)
            if let entry = LeaseJournalEntry(line: line[...]) { entries.append(entry) }
            lineStart = index + 1
            intactLength = lineStart
        }
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemCallError("open(\(path))") }
        if intactLength < bytes.count {
            guard ftruncate(fd, off_t(intactLength)) == 0 else { throw SystemCallError("ftruncate(\(path))") }
        }
        return (LeaseJournalFile(path: path, fd: fd, entryCount: entries.count), entries)
    }

    private init(path: String, fd: Int32, entryCount: Int) {
        self.path = path
        self.fd = fd
        self.entryCount = entryCount
    }

    deinit { close(fd) }

    /// Appends one entry and waits until it is on disk.
    public func append(_ entry: LeaseJournalEntry) throws(SystemCallError) {
        try Self.writeAll(fd, Array((entry.line + "\n").utf8), path: path)
        guard fdatasync(fd) == 0 else { throw SystemCallError("fdatasync(\(path))") }
        entryCount += 1
    }

    /// Replaces the journal with `entries` (the pool's snapshot) atomically, so it does not
    /// grow without bound over months of renewals.
    public func compact(to entries: [LeaseJournalEntry]) throws(SystemCallError) {
        let temporary = path + ".compact"
        let out = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard out >= 0 else { throw SystemCallError("open(\(temporary))") }
        do throws(SystemCallError) {
            try Self.writeAll(out, Array(entries.map { $0.line + "\n" }.joined().utf8), path: temporary)
            guard fsync(out) == 0 else { throw SystemCallError("fsync(\(temporary))") }
        } catch {
            close(out)
            unlink(temporary)
            throw error
        }
        close(out)
        guard rename(temporary, path) == 0 else { throw SystemCallError("rename(\(temporary))") }
        let reopened = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard reopened >= 0 else { throw SystemCallError("open(\(path))") }
        close(fd)
        fd = reopened
        entryCount = entries.count
    }

    private static func readAll(_ path: String) throws(SystemCallError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw SystemCallError("open(\(path))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("read(\(path))")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("write(\(path))")
            }
            offset += count
        }
    }
}
