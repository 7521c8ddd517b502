import BrambleCapture
import Glibc

/// The file behind `--capture`: a pcap file of bounded size, rotated to `PATH.1` when the
/// next write would pass the bound, so a long-running hub keeps the newest traffic in at
/// most twice the bound on disk (in one bound's worth when the directory refuses the rename).
final class CaptureFile {
    let path: String
    let maximumBytes: Int
    private var fd: Int32
    private(set) var bytesInFile = 0
    private(set) var rotations = 0

    init(path: String, maximumBytes: Int) throws(SystemCallError) {
        self.path = path
        self.maximumBytes = max(maximumBytes, PcapEncoder.fileHeaderLength + 4096)
        fd = try Self.create(path)
        try write(PcapEncoder.fileHeader())
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Gives the file to the account the daemon drops to, so it can go on rotating.
    func chown(to uid: uid_t, gid: gid_t) {
        _ = fchown(fd, uid, gid)
    }

    /// Writes whole records; rotates first when they would not fit under the bound.
    func append(_ records: [UInt8]) throws(SystemCallError) {
        guard !records.isEmpty else { return }
        if bytesInFile + records.count > maximumBytes && bytesInFile > PcapEncoder.fileHeaderLength {
            try rotate()
        }
        try write(records)
    }

    /// Why the last rotation could not keep the previous file as `path.1` (the directory is
    /// not writable by the account bramble dropped to), nil while rotation works.
    private(set) var cannotKeepPrevious: SystemCallError?

    /// Moves the file to `path.1` and starts a new one; when the rename is refused, starts
    /// over in the same file instead, so the bound holds and capturing goes on.
    private func rotate() throws(SystemCallError) {
        if rename(path, path + ".1") == 0 {
            close(fd)
            fd = -1
            fd = try Self.create(path)
        } else {
            cannotKeepPrevious = SystemCallError("rename(\(path), \(path).1)")
            guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw SystemCallError("ftruncate(\(path))") }
        }
        bytesInFile = 0
        rotations += 1
        try write(PcapEncoder.fileHeader())
    }

    private func write(_ bytes: [UInt8]) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("write(\(path))")
            }
            offset += written
        }
        bytesInFile += bytes.count
    }

    private static func create(_ path: String) throws(SystemCallError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemCallError("open(\(path))") }
        return fd
    }
}
