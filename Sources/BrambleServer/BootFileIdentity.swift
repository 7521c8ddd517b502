import Glibc

/// Which version of a file a path names: device, inode, size, modification and change
/// time.
///
/// An atomic replace (write a temporary file, rename it over the old one) gives the path a
/// new inode, and an in-place rewrite (`cat new > file`) changes the size or the times, so
/// comparing identities tells the cache when an open file is stale without reading it,
/// and tells a running transfer that the bytes under it changed. The change time catches
/// what the modification time can miss: `touch -d` or a tool that restores mtime after
/// writing.
struct BootFileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int
    var modificationSeconds: Int
    var modificationNanoseconds: Int
    var changeSeconds: Int
    var changeNanoseconds: Int

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int(status.st_size)
        modificationSeconds = Int(status.st_mtim.tv_sec)
        modificationNanoseconds = Int(status.st_mtim.tv_nsec)
        changeSeconds = Int(status.st_ctim.tv_sec)
        changeNanoseconds = Int(status.st_ctim.tv_nsec)
    }

    /// Whether an open file still holds the bytes it held when `self` was taken: same
    /// size and modification time. The change time is left out here because it also moves
    /// when the last link goes: a file replaced by rename is unchanged for the transfers
    /// still reading the old inode.
    func hasSameContents(as other: BootFileIdentity) -> Bool {
        size == other.size && modificationSeconds == other.modificationSeconds
            && modificationNanoseconds == other.modificationNanoseconds
    }
}
