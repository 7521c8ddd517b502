import Glibc

/// Which version of a file a path names: device, inode, modification time and size.
///
/// An atomic replace (write a temporary file, rename it over the old one) gives the path a
/// new inode, and an in-place rewrite changes the time or size, so comparing identities
/// tells the cache when a mapping is stale without reading the file.
struct BootFileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var modificationSeconds: Int
    var modificationNanoseconds: Int
    var size: Int

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        modificationSeconds = Int(status.st_mtim.tv_sec)
        modificationNanoseconds = Int(status.st_mtim.tv_nsec)
        size = Int(status.st_size)
    }
}
