import Glibc

/// The boot files being served, each opened once (``OpenBootFile``) and reused by every
/// transfer while it stays the same version on disk.
///
/// Every request costs one `stat` of the path; only a new or changed file (another inode,
/// size, modification or change time) is opened again. A changed file's new version
/// replaces the entry, and the old descriptor lives on exactly as long as the transfers
/// still sending it. Files that disappear leave the cache at their next request; the tree
/// is small (a few dozen files), so nothing else evicts.
final class BootFileCache {
    private var entries: [String: OpenBootFile] = [:]

    /// Open entries, for the stop message and tests.
    var count: Int { entries.count }

    /// The current version of the file at `path` (absolute).
    func file(at path: String) throws(SystemCallError) -> OpenBootFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let error = SystemCallError("stat(\(path))")
            entries[path] = nil
            throw error
        }
        if let cached = entries[path], cached.identity == BootFileIdentity(status) { return cached }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else { throw SystemCallError("open(\(path))") }
        // The identity of what was opened, in case the path was replaced since the stat.
        guard fstat(fd, &status) == 0 else {
            let error = SystemCallError("fstat(\(path))")
            close(fd)
            throw error
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SystemCallError("open(\(path))", errno: EISDIR)
        }
        let file = OpenBootFile(fd: fd, identity: BootFileIdentity(status), path: path)
        entries[path] = file
        return file
    }
}
