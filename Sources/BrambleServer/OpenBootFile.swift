import BrambleTFTP
import Glibc

/// One version of a boot file, held open for as long as anything holds it, and read with
/// `pread` into the sender's buffer.
///
/// Not memory-mapped: reading a mapping of a file that an operator truncates in place
/// (`cat new > start4.elf`) while it is sent raises SIGBUS, which kills the daemon and
/// with it DHCP, TFTP and DNS for the whole cluster. `pread` reports the same event as a
/// short read, and ``read(into:at:)`` also compares the file's size and modification time
/// after the read of the file's end,
/// so a rewrite that did not shrink it is caught too: the one transfer fails with an
/// ERROR and the next request opens the new version. The page cache still holds each
/// file once for all 48 nodes; the price is one copy per block (see scripts/bench-tftp).
///
/// A file replaced by rename keeps its old inode alive through this descriptor: a
/// transfer that started on it finishes with the bytes it started with. The descriptor is
/// closed when the last reference goes (the cache's, and every transfer's).
final class OpenBootFile: TFTPFileContents {
    let identity: BootFileIdentity
    let count: Int
    let path: String
    private let fd: Int32

    /// Takes ownership of the open file `fd`, whose `fstat` gave `identity`.
    init(fd: Int32, identity: BootFileIdentity, path: String) {
        self.fd = fd
        self.identity = identity
        self.path = path
        count = identity.size
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(TFTPReadError) {
        guard offset >= 0, offset <= count - buffer.count else {
            throw .shortRead(offset: offset, expected: buffer.count, read: max(0, min(buffer.count, count - offset)))
        }
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        var done = 0
        while done < buffer.count {
            let got = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw .failed("\(SystemCallError("pread(\(path))"))")
            }
            if got == 0 { throw .shortRead(offset: offset, expected: buffer.count, read: done) }
            done += got
        }
        // A rewrite in place that kept (or regrew) the size reads without falling short:
        // the bytes may mix two versions. Any write moves the modification time, so an
        // `fstat` after the read tells. Only the read that reaches the end of the file
        // pays for it: every byte sent before was read before this check, and without the
        // last block no client takes the file as complete, so a mixed file is never
        // delivered, while a block costs one system call fewer.
        guard offset + buffer.count == count else { return }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .failed("\(SystemCallError("fstat(\(path))"))") }
        guard BootFileIdentity(status).hasSameContents(as: identity) else { throw .changed }
    }
}
