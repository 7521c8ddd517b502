import BrambleCapture
import Glibc

/// The file behind `--capture`: a pcap file of bounded size, rotated to `PATH.1` when the
/// next write would pass the bound, so a long-running hub keeps the newest traffic in at
/// most twice the bound on disk (in one bound's worth when the directory refuses the rename).
///
/// The file is opened while root, in a directory the operator chose (often a shared one
/// like /tmp): through its directory's descriptor, never following a link, refusing a hard
/// link or a non-regular file, truncated only after those checks, and handed to the
/// account the daemon drops to on its descriptor (see ``DirectoryHandle``). Rotation runs
/// as that account and goes through the same descriptor.
final class CaptureFile {
    let path: String
    let maximumBytes: Int
    private let directory: DirectoryHandle
    private let name: String
    private var fd: Int32
    private(set) var bytesInFile = 0
    private(set) var rotations = 0

    /// - Parameter owner: the account the daemon drops to, which keeps writing and rotating.
    init(path: String, maximumBytes: Int, owner: PrivilegeDrop.Account? = nil) throws(UnsafeFileError) {
        self.path = path
        self.maximumBytes = max(maximumBytes, PcapEncoder.fileHeaderLength + 4096)
        (directory, name) = try DirectoryHandle.openParent(of: path, account: owner)
        fd = -1
        fd = try create(owner: owner)
        do throws(SystemCallError) { try write(PcapEncoder.fileHeader()) } catch { throw .system(error) }
    }

    deinit { if fd >= 0 { close(fd) } }

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
        if renameat(directory.fd, name, directory.fd, name + ".1") == 0 {
            close(fd)
            fd = -1
            do throws(UnsafeFileError) { fd = try create(owner: nil) } catch {
                if case .system(let failure) = error { throw failure }
                throw SystemCallError("open(\(path)): \(error)", errno: EEXIST)
            }
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

    /// Opens (creating) the file empty: truncated on its descriptor once it proved to be a
    /// regular file of its own, since `O_TRUNC` would empty a link's target first.
    private func create(owner: PrivilegeDrop.Account?) throws(UnsafeFileError) -> Int32 {
        let fd = try directory.openFile(name, flags: O_WRONLY | O_NONBLOCK, create: true, owner: owner)
        guard ftruncate(fd, 0) == 0 else {
            close(fd)
            throw .system(SystemCallError("ftruncate(\(path))"))
        }
        return fd
    }
}
