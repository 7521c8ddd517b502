import BrambleTFTP
import Glibc

/// The boot tree on disk (`<pxe>/boot`), as the path resolver sees it.
///
/// A path counts only when its real path (every symbolic link followed) stays under the
/// real root: a link that leads elsewhere is ``TFTPBootTreeEntry/outsideRoot`` and refused,
/// one that stays inside (`kernel.img -> kernel-6.6.img`) is served. Anything other than a
/// regular file or a directory (a FIFO, a device) is treated as missing: opening a FIFO
/// would block the one event loop.
public struct FileSystemBootTree: TFTPBootTree {
    /// `<pxe>/boot` as configured.
    public let root: String

    public init(root: String) { self.root = root }

    /// The real path of a file the resolver chose, checked again at the moment it is opened:
    /// the file is opened by this path, with no symbolic link left to follow, so a link
    /// swapped in after the resolver looked cannot lead the open outside the root.
    public func realPathInsideRoot(_ relativePath: String) -> String? {
        guard let realRoot = Self.realPath(root), let real = Self.realPath(root + "/" + relativePath),
              real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/")
        else { return nil }
        return real
    }

    public func entry(at relativePath: String) -> TFTPBootTreeEntry {
        guard Self.realPath(root + "/" + relativePath) != nil else { return .missing }
        guard let real = realPathInsideRoot(relativePath) else { return .outsideRoot }
        var status = stat()
        guard stat(real, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .missing
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
