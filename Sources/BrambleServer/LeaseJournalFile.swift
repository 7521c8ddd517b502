import BrambleDHCP
import Glibc

/// The dynamic pool's append-only journal in the state directory.
///
/// Each grant is written and fdatasync'ed before its ACK is sent, so a `kill -9` or power
/// cut at any moment loses no lease a client was told it has. Every line checks itself
/// (``LeaseJournalEntry/checkedLine``), and reading resynchronises at the next newline, so
/// a damaged line costs only itself, never the lease after it.
///
/// A write that fails or is cut short (ENOSPC, EIO) throws, and the caller neither answers
/// nor keeps the lease; the file is cut back to its last whole line, or, when even that
/// fails, the next entry starts on a line of its own.
///
/// The file is reached through the state directory's descriptor without following links
/// (see ``DirectoryHandle``); compaction writes a new file beside it, syncs it, renames it
/// over the journal and syncs the directory, so a crash at any point leaves the old
/// journal or the new one, whole.
public final class LeaseJournalFile {
    /// The calls that put bytes on the disk, replaceable so tests can make a write fail or
    /// stop short the way a full disk does.
    struct Storage {
        var write: (Int32, UnsafeRawBufferPointer) -> Int
        var sync: (Int32) -> Int32
        var truncate: (Int32, off_t) -> Int32

        static var system: Storage {
            Storage(
                write: { fd, bytes in Glibc.write(fd, bytes.baseAddress, bytes.count) },
                sync: { fdatasync($0) },
                truncate: { ftruncate($0, $1) })
        }
    }

    /// What reading a journal found.
    struct Contents: Equatable {
        var entries: [LeaseJournalEntry] = []
        /// Lines that failed their checksum or did not parse, skipped.
        var damagedLines = 0
        /// Bytes up to the end of the last whole line: a torn tail after it is cut off.
        var intactLength = 0
        /// Lines written before checksums existed: trusted only when no line has one.
        var uncheckedLines = 0
    }

    public var path: String { directory.pathOf(name) }
    private let directory: DirectoryHandle
    private let name: String
    private let storage: Storage
    private var fd: Int32
    /// Where the file ends after the last entry that was written whole.
    private var length: off_t
    /// Set when a failed write could not be cut back: the next entry starts with a newline.
    private var startsMidLine = false
    private(set) public var entryCount: Int

    /// Opens (creating) the journal `name` in `directory`, handed to `owner`, and returns it
    /// with the entries it holds and the number of damaged lines it skipped. A journal with
    /// damaged or unchecked lines is rewritten at once with only its intact, checked entries.
    static func open(
        in directory: DirectoryHandle, name: String, owner: PrivilegeDrop.Account? = nil, storage: Storage = .system
    ) throws(UnsafeFileError) -> (file: LeaseJournalFile, entries: [LeaseJournalEntry], skippedLines: Int) {
        let fd = try directory.openFile(name, flags: O_RDWR | O_APPEND, create: true, owner: owner)
        let bytes: [UInt8]
        do throws(SystemCallError) { bytes = try readAll(fd, path: directory.pathOf(name)) } catch {
            close(fd)
            throw .system(error)
        }
        let contents = parse(bytes)
        let file = LeaseJournalFile(directory: directory, name: name, fd: fd, length: off_t(contents.intactLength), entryCount: contents.entries.count, storage: storage)
        do throws(SystemCallError) {
            if contents.damagedLines > 0 || contents.uncheckedLines > 0 {
                try file.compact(to: contents.entries, owner: owner)
            } else if contents.intactLength < bytes.count {
                guard storage.truncate(fd, off_t(contents.intactLength)) == 0 else { throw SystemCallError("ftruncate(\(file.path))") }
            }
        } catch {
            throw .system(error)
        }
        return (file, contents.entries, contents.damagedLines)
    }

    private init(directory: DirectoryHandle, name: String, fd: Int32, length: off_t, entryCount: Int, storage: Storage) {
        self.directory = directory
        self.name = name
        self.fd = fd
        self.length = length
        self.entryCount = entryCount
        self.storage = storage
    }

    deinit { close(fd) }

    /// Splits `bytes` into lines, keeps the checked entries and counts the damaged ones. A
    /// last line without its newline is a write a crash cut short: it is left out of
    /// ``Contents/intactLength`` and not counted as damage.
    static func parse(_ bytes: [UInt8]) -> Contents {
        var contents = Contents()
        var checked: [LeaseJournalEntry] = []
        var unchecked: [LeaseJournalEntry] = []
        var lineStart = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            defer {
                lineStart = index + 1
                contents.intactLength = lineStart
            }
            guard index > lineStart else { continue }
            switch LeaseJournalEntry.stored(Substring(decoding: bytes[lineStart..<index], as: UTF8.self)) {
            case .checked(let entry): checked.append(entry)
            case .unchecked(let entry): unchecked.append(entry)
            case .damaged: contents.damagedLines += 1
            }
        }
        contents.uncheckedLines = unchecked.count
        if checked.isEmpty {
            contents.entries = unchecked
        } else {
            // Checksums in use: a line without one is a torn write, not an old journal.
            contents.entries = checked
            contents.damagedLines += unchecked.count
            contents.uncheckedLines = 0
        }
        return contents
    }

    /// Appends one entry and waits until it is on disk; throws (leaving no partial line
    /// behind when it can) if it is not.
    public func append(_ entry: LeaseJournalEntry) throws(SystemCallError) {
        let bytes = Array(((startsMidLine ? "\n" : "") + entry.checkedLine + "\n").utf8)
        do throws(SystemCallError) {
            try write(bytes, to: fd, path: path)
            guard storage.sync(fd) == 0 else { throw SystemCallError("fdatasync(\(path))") }
        } catch {
            // Whatever reached the file is not a promise: cut it off, or make sure the next
            // entry does not continue the torn line.
            if storage.truncate(fd, length) != 0 { startsMidLine = true }
            throw error
        }
        startsMidLine = false
        length += off_t(bytes.count)
        entryCount += 1
    }

    /// Replaces the journal with `entries` (the pool's snapshot) atomically, so it does not
    /// grow without bound over months of renewals: written to `NAME.compact` beside it,
    /// synced, renamed over it, and the directory synced so the rename itself survives.
    public func compact(to entries: [LeaseJournalEntry]) throws(SystemCallError) {
        try compact(to: entries, owner: nil)
    }

    private func compact(to entries: [LeaseJournalEntry], owner: PrivilegeDrop.Account?) throws(SystemCallError) {
        let temporary = name + ".compact"
        guard unlinkat(directory.fd, temporary, 0) == 0 || errno == ENOENT else { throw SystemCallError("unlink(\(directory.pathOf(temporary)))") }
        let out: Int32
        do throws(UnsafeFileError) {
            out = try directory.openFile(temporary, flags: O_WRONLY | O_APPEND, create: true, owner: owner)
        } catch {
            throw SystemCallError("open(\(directory.pathOf(temporary))): \(error)", errno: EIO)
        }
        let bytes = Array(entries.map { $0.checkedLine + "\n" }.joined().utf8)
        do throws(SystemCallError) {
            try write(bytes, to: out, path: directory.pathOf(temporary))
            guard fsync(out) == 0 else { throw SystemCallError("fsync(\(directory.pathOf(temporary)))") }
            guard renameat(directory.fd, temporary, directory.fd, name) == 0 else { throw SystemCallError("rename(\(directory.pathOf(temporary)), \(path))") }
        } catch {
            close(out)
            unlinkat(directory.fd, temporary, 0)
            throw error
        }
        close(fd)
        fd = out
        length = off_t(bytes.count)
        startsMidLine = false
        entryCount = entries.count
        guard fsync(directory.fd) == 0 else { throw SystemCallError("fsync(\(directory.path))") }
    }

    private static func readAll(_ fd: Int32, path: String) throws(SystemCallError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("read(\(path))")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            offset += off_t(count)
        }
    }

    private func write(_ bytes: [UInt8], to fd: Int32, path: String) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { storage.write(fd, $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("write(\(path))")
            }
            guard count > 0 else { throw SystemCallError("write(\(path)): nothing written", errno: EIO) }
            offset += count
        }
    }
}
