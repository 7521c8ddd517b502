/// What the base image occupies, as a walk of it measured (hard-linked files once).
public struct BaseImageSize: Hashable, Sendable {
    /// Files, directories, links and device nodes: each needs an inode in a copy.
    public var entries: UInt64
    /// Blocks allocated to everything (st_blocks × 512), so sparse files count what they hold.
    public var allocatedBytes: UInt64
    /// Blocks allocated to directories alone: a reflink copy still writes these.
    public var directoryBytes: UInt64

    public init(entries: UInt64, allocatedBytes: UInt64, directoryBytes: UInt64) {
        self.entries = entries
        self.allocatedBytes = allocatedBytes
        self.directoryBytes = directoryBytes
    }
}

/// The room a create needs, and whether the file system holding the roots has it.
///
/// The estimate errs high: a create refused up front costs the operator a minute, one that
/// fills the disk halfway costs a cleanup and maybe a hub whose logs can no longer be written.
public struct SpaceEstimate: Hashable, Sendable {
    public var bytes: UInt64
    public var inodes: UInt64

    /// Bytes an inode takes on disk in a copy whose data is shared: xfs and ext4 use 256 to
    /// 512; rounding up covers the extent maps a reflinked file also gets.
    public static let metadataBytesPerEntry: UInt64 = 1024
    /// A btrfs snapshot writes a few tree blocks, whatever the base's size.
    public static let snapshotBytes: UInt64 = 64 * 1024

    public init(bytes: UInt64, inodes: UInt64) {
        self.bytes = bytes
        self.inodes = inodes
    }

    /// The room for `roots` new roots of `base` made with `mode`.
    public init(mode: RootCopyMode, base: BaseImageSize, roots: Int) {
        let count = UInt64(max(roots, 0))
        switch mode {
        case .snapshot:
            self.init(bytes: Self.snapshotBytes * count, inodes: 0)
        case .reflink:
            self.init(bytes: (base.directoryBytes + base.entries * Self.metadataBytesPerEntry) * count, inodes: base.entries * count)
        case .copy:
            self.init(bytes: base.allocatedBytes * count, inodes: base.entries * count)
        }
    }
}

/// Free room on a file system, as statvfs(3) reports it to an unprivileged writer.
public struct FreeSpace: Hashable, Sendable {
    public var bytes: UInt64
    /// Free inodes; nil when the file system allocates them as it goes (btrfs reports 0 total).
    public var inodes: UInt64?

    public init(bytes: UInt64, inodes: UInt64?) {
        self.bytes = bytes
        self.inodes = inodes
    }
}

/// A create refused before anything was written: the disk cannot hold what it would make.
public struct SpaceShortage: Hashable, Sendable, CustomStringConvertible {
    public var needed: SpaceEstimate
    public var free: FreeSpace
    public var directory: String

    public init?(needed: SpaceEstimate, free: FreeSpace, directory: String) {
        let bytesShort = needed.bytes > free.bytes
        let inodesShort = free.inodes.map { needed.inodes > $0 } ?? false
        guard bytesShort || inodesShort else { return nil }
        self.needed = needed
        self.free = free
        self.directory = directory
    }

    public var description: String {
        var reasons: [String] = []
        if needed.bytes > free.bytes {
            reasons.append("needs about \(ByteCount(needed.bytes)) but \(ByteCount(free.bytes)) is free")
        }
        if let inodes = free.inodes, needed.inodes > inodes {
            reasons.append("needs \(needed.inodes) inodes but \(inodes) are free")
        }
        return "\(directory): not enough room: \(reasons.joined(separator: "; ")); nothing was written. Free space, create fewer roots at a time (bramble roots create NODE...), or put the roots on a file system with reflinks (xfs, btrfs)"
    }
}

/// A byte count for people: 1.5 GiB, 320.0 MiB, 512 B.
public struct ByteCount: Hashable, Sendable, CustomStringConvertible {
    public var bytes: UInt64

    public init(_ bytes: UInt64) { self.bytes = bytes }

    public var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
