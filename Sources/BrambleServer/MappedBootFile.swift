import BrambleTFTP
import Glibc

/// One version of a boot file, memory-mapped read-only and private, for as long as anything
/// holds it.
///
/// Transfers send blocks straight from the mapping (``TFTPFileContents/withBytes(in:_:)``
/// hands out a pointer into it), so the bytes go from the page cache to the socket without
/// a copy, and 48 nodes reading `start.elf` share one mapping. A file replaced by rename
/// keeps its old inode alive through this mapping: a transfer that started on it finishes
/// with the bytes it started with. The mapping is undone when the last reference goes
/// (the cache's, and every transfer's): that reference count is the only bookkeeping.
///
/// The address is kept as an integer so the type is plainly Sendable: the mapping is
/// read-only and lives as long as the object, so sharing it is safe by construction.
final class MappedBootFile: TFTPFileContents {
    let identity: BootFileIdentity
    let count: Int
    private let address: UInt

    /// Maps the open file `fd` (which the caller closes; the mapping outlives it).
    init(fd: Int32, identity: BootFileIdentity, path: String) throws(SystemCallError) {
        self.identity = identity
        count = identity.size
        guard count > 0 else {
            // mmap refuses length 0; an empty file needs no mapping.
            address = 0
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SystemCallError("mmap(\(path))")
        }
        address = UInt(bitPattern: mapped)
    }

    deinit {
        if count > 0, let pointer = UnsafeMutableRawPointer(bitPattern: address) { munmap(pointer, count) }
    }

    func withBytes<Result>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range \(range) outside a file of \(count) bytes")
        guard !range.isEmpty, let base = UnsafeRawPointer(bitPattern: address) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }
}
