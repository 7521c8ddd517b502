import BrambleTFTP
import Glibc

/// The boot tree on disk (`<pxe>/boot`), as the path resolver sees it.
///
/// A path counts only when its real path (every symbolic link followed) stays under the
/// real root: a link that leads elsewhere is ``TFTPBootTreeEntry/outsideRoot`` and refused,
/// one that stays inside (`kernel.img -> kernel-6.6.img`) is served. Anything other than a
/// regular file or a directory (a FIFO, a device) is treated as missing: opening a FIFO
/// would block the one event loop.
///
/// Files are opened through ``BootFileCache``: once per version, shared by every transfer
/// and kept across reloads (a reload hands the same cache to the new tree).
public struct FileSystemBootTree: TFTPServedTree {
    /// `<pxe>/boot` as configured.
    public let root: String
    let cache: BootFileCache

    public init(root: String) { self.init(root: root, cache: BootFileCache()) }

    init(root: String, cache: BootFileCache) {
        self.root = root
        self.cache = cache
    }

    /// The file the resolver chose, opened by its real path. An error that says the file
    /// is not there (ENOENT) is "missing"; any other (EACCES, a directory swapped in) is
    /// "denied", answered as an access violation.
    public func open(_ relativePath: String) -> TFTPBootFileOpening {
        do throws(SystemCallError) {
            guard let real = realPathInsideRoot(relativePath) else {
                throw SystemCallError("realpath(\(relativePath))", errno: ENOENT)
            }
            return .opened(try cache.file(at: real))
        } catch {
            return error.errno == ENOENT ? .missing(reason: "\(error)") : .denied(reason: "\(error)")
        }
    }

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
