/// One entry of a tree listing (a root or a base image), as lstat describes it: what an
/// update compares. Paths are relative to the tree's top, without a leading `/`.
public struct TreeEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case directory, file, symbolicLink(target: String), special(device: UInt64)
    }

    public var path: String
    public var kind: Kind
    /// Permission bits with set-id and sticky bits (st_mode & 07777).
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var modified: Int64

    public init(path: String, kind: Kind, mode: UInt32 = 0o644, owner: UInt32 = 0, group: UInt32 = 0, size: Int64 = 0, modified: Int64 = 0) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.owner = owner
        self.group = group
        self.size = size
        self.modified = modified
    }

    /// Whether `other` (the same path in another tree) would be a different file to a
    /// node: kind, link target, owner, mode, or, for files, size and modification time
    /// (how rsync decides without reading contents; a package manager sets both).
    public func differs(from other: TreeEntry) -> Bool {
        if kind != other.kind || mode != other.mode || owner != other.owner || group != other.group { return true }
        if case .file = kind { return size != other.size || modified != other.modified }
        return false
    }
}
