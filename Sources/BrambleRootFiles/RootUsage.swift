import CRootShims
import Glibc

/// How much disk a root occupies, and how much of that it shares with other files (the base
/// and the other roots, after a reflink copy or a snapshot): what `list` shows and what the
/// measurements in docs/roots.md are made of.
public struct RootUsage: Hashable, Sendable {
    /// Blocks allocated to the root's entries (st_blocks × 512; hard links once).
    public var allocatedBytes: UInt64 = 0
    /// Of those, bytes in extents FIEMAP reports as shared (0 on ext4, which cannot share).
    public var sharedBytes: UInt64 = 0
    public var entries: UInt64 = 0

    public init() {}

    /// Walks `path` without following links.
    public static func measure(_ path: String) throws(RootFileError) -> RootUsage {
        let root = try Directory.open(path: path)
        var usage = RootUsage()
        var seen: Set<[UInt64]> = []
        var info = stat()
        guard fstat(root.fd, &info) == 0 else { throw RootFileError(path: path, operation: "stat", errno: errno) }
        usage.add(info)
        try usage.visit(root.fd, path: path, seen: &seen)
        return usage
    }

    private mutating func add(_ info: stat) {
        entries += 1
        allocatedBytes += UInt64(max(info.st_blocks, 0)) * 512
    }

    private mutating func visit(_ directory: Int32, path: String, seen: inout Set<[UInt64]>) throws(RootFileError) {
        for name in try Directory.names(directory, path: path) {
            let childPath = path + "/" + name.display
            let info = try Directory.status(of: name, in: directory, path: childPath)
            if !info.isDirectory, info.st_nlink > 1, !seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { continue }
            add(info)
            if info.isDirectory {
                let child = try Directory.open(name, in: directory, path: childPath)
                try visit(child.fd, path: childPath, seen: &seen)
            } else if info.fileType == S_IFREG, info.st_blocks > 0 {
                let fd = name.withCString { openat(directory, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
                guard fd >= 0 else { continue }
                var shared: UInt64 = 0
                if bramble_shared_bytes(fd, &shared) == 0 { sharedBytes += min(shared, UInt64(info.st_blocks) * 512) }
                close(fd)
            }
        }
    }
}
