/// How a node's root was (or will be) made from the base image, cheapest first.
///
/// The mode is decided once per create from the file systems involved, not per node:
/// every root made by one run shares the same costs, and `list` reports the mode each root
/// was made with.
public enum RootCopyMode: String, CaseIterable, Hashable, Sendable {
    /// A btrfs snapshot of the base subvolume: one ioctl, no data or metadata copied until
    /// a file changes (copy on write).
    case snapshot
    /// A new tree whose files share the base's extents (FICLONE): metadata is copied, data
    /// only when a node writes it. xfs (reflink=1), btrfs, bcachefs.
    case reflink
    /// Every byte copied (holes kept as holes): the only choice on ext4.
    case copy

    public var explanation: String {
        switch self {
        case .snapshot: "btrfs snapshot of the base subvolume (nothing copied until a node writes)"
        case .reflink: "reflink copy (files share the base's data blocks until a node writes)"
        case .copy: "full copy (the file system cannot share blocks: every byte is copied)"
        }
    }
}
