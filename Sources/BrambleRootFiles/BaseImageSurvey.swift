import BrambleRoots
import CRootShims
import Glibc

/// One walk of the base image before a create: its size (for the space estimate) and a
/// file to try a reflink with (for choosing the mode).
public struct BaseImageSurvey {
    public var size: BaseImageSize
    /// The first non-empty regular file found, relative to the base: FICLONE is tried on it.
    public var sampleFile: String?

    /// Walks `base` without following links; hard-linked files count once.
    public init(base: String) throws(RootFileError) {
        let root = try Directory.open(path: base)
        var walk = Walk()
        var info = stat()
        guard fstat(root.fd, &info) == 0 else { throw RootFileError(path: base, operation: "stat", errno: errno) }
        walk.add(info)
        try walk.visit(root.fd, relative: "", base: base)
        size = walk.size
        sampleFile = walk.sample
    }

    private struct Walk {
        var size = BaseImageSize(entries: 0, allocatedBytes: 0, directoryBytes: 0)
        var sample: String?
        var seen: Set<[UInt64]> = []

        mutating func add(_ info: stat) {
            if !info.isDirectory, info.st_nlink > 1 {
                guard seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
            }
            let allocated = UInt64(max(info.st_blocks, 0)) * 512
            size.entries += 1
            size.allocatedBytes += allocated
            if info.isDirectory { size.directoryBytes += allocated }
        }

        mutating func visit(_ directory: Int32, relative: String, base: String) throws(RootFileError) {
            for name in try Directory.names(directory, path: base + relative) {
                let childRelative = relative + "/" + name.display
                let info = try Directory.status(of: name, in: directory, path: base + childRelative)
                add(info)
                if sample == nil, info.fileType == S_IFREG, info.st_size > 0 { sample = childRelative }
                if info.isDirectory {
                    let child = try Directory.open(name, in: directory, path: base + childRelative)
                    try visit(child.fd, relative: childRelative, base: base)
                }
            }
        }
    }
}

/// Which mode the file systems allow, cheapest first: a snapshot when the base is a btrfs
/// subvolume on the same file system as the roots, a reflink when FICLONE works from the
/// base into the roots directory, else a copy.
public enum CopyModeProbe {
    public static func cheapest(base: String, rootsDirectory: Int32, sampleFile: String?) throws(RootFileError) -> RootCopyMode {
        let baseDirectory = try Directory.open(path: base)
        if isSubvolume(baseDirectory.fd), bramble_filesystem_type(rootsDirectory) == bramble_btrfs_magic(),
           bramble_filesystem_id(rootsDirectory) == bramble_filesystem_id(baseDirectory.fd)
        {
            return .snapshot
        }
        return canReflink(base: base, sampleFile: sampleFile, into: rootsDirectory) ? .reflink : .copy
    }

    /// A btrfs subvolume's top directory: btrfs, and inode 256 (BTRFS_FIRST_FREE_OBJECTID).
    public static func isSubvolume(_ directory: Int32) -> Bool {
        var info = stat()
        return bramble_filesystem_type(directory) == bramble_btrfs_magic() && fstat(directory, &info) == 0
            && UInt64(info.st_ino) == bramble_btrfs_subvolume_inode()
    }

    /// Tries FICLONE from the sample into an unnamed temporary file (O_TMPFILE) in the roots
    /// directory, which vanishes when closed: nothing is left behind whatever the answer.
    public static func canReflink(base: String, sampleFile: String?, into rootsDirectory: Int32) -> Bool {
        guard let sampleFile else { return false }
        let source = open(base + sampleFile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard source >= 0 else { return false }
        defer { close(source) }
        let probe = openat(rootsDirectory, ".", bramble_o_tmpfile() | O_WRONLY | O_CLOEXEC, 0o600)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        return bramble_ficlone(probe, source) == 0
    }
}

/// statvfs(3) of the file system holding an open directory.
public enum FreeSpaceReading {
    /// Writes out what is pending on the file system (syncfs), so a reading taken after a
    /// create counts the blocks it allocated rather than the ones still delayed in memory.
    public static func flush(_ directory: Int32) {
        _ = bramble_syncfs(directory)
    }

    public static func of(_ directory: Int32, path: String) throws(RootFileError) -> FreeSpace {
        var info = statvfs()
        guard fstatvfs(directory, &info) == 0 else { throw RootFileError(path: path, operation: "read free space (statvfs)", errno: errno) }
        let bytes = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        return FreeSpace(bytes: bytes, inodes: info.f_files == 0 ? nil : UInt64(info.f_favail))
    }
}
