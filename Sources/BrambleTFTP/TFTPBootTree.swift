/// What a path under the boot root is, as far as serving it goes.
public enum TFTPBootTreeEntry: Hashable, Sendable {
    case missing
    case file
    case directory
    /// It exists, but a symbolic link on the way leads outside the boot root.
    case outsideRoot
}

/// A read-only view of the boot tree (`<pxe>/boot`), by path relative to its root.
///
/// The resolver asks only this, so it is tested against an in-memory tree and the server
/// answers from the real file system (`lstat`/`realpath`, or a cached listing). Paths
/// handed in are already checked: no `..`, no leading `/`, no empty components.
public protocol TFTPBootTree {
    func entry(at relativePath: String) -> TFTPBootTreeEntry
}
