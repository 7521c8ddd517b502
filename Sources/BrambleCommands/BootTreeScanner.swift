import Glibc

/// Lists `<pxe>/boot` from the file system, the way the TFTP server will serve it: symbolic
/// links are followed only while they stay inside the tree, and the walk stops at a fixed
/// depth, so a link loop or a stray mount cannot make `bramble check` run away.
public enum BootTreeScanner {
    /// Deep enough for `<serial>/overlays/x.dtbo` and OS-prefix directories, with room to spare.
    public static let maximumDepth = 6

    /// Never throws: a missing or unreadable boot directory is a finding for the report.
    public static func scan(bootDirectory: String) -> BootTreeListing {
        var listing = BootTreeListing()
        var info = stat()
        guard stat(bootDirectory, &info) == 0 else {
            let error = errno
            listing.problems.append(
                error == ENOENT
                    ? .bootDirectoryMissing(path: bootDirectory)
                    : .unreadable(path: bootDirectory, reason: describe(error)))
            return listing
        }
        guard isDirectory(info) else {
            listing.problems.append(.bootDirectoryNotADirectory(path: bootDirectory))
            return listing
        }
        let root = canonicalPath(bootDirectory) ?? bootDirectory
        walk(directory: bootDirectory, relative: "", depth: 1, root: root, into: &listing)
        return listing
    }

    private static func walk(directory: String, relative: String, depth: Int, root: String, into listing: inout BootTreeListing) {
        guard let stream = opendir(directory) else {
            listing.problems.append(.unreadable(path: relative.isEmpty ? directory : relative, reason: describe(errno)))
            return
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != ".", name != ".." { names.append(name) }
        }
        for name in names.sorted() {
            let path = directory + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else {
                listing.problems.append(.unreadable(path: relativePath, reason: describe(errno)))
                continue
            }
            if isSymbolicLink(info) {
                guard let target = canonicalPath(path) else {
                    listing.problems.append(.brokenLink(path: relativePath))
                    continue
                }
                guard target.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                    listing.problems.append(.linkOutsideTree(path: relativePath, target: target))
                    continue
                }
                guard stat(path, &info) == 0 else {
                    listing.problems.append(.unreadable(path: relativePath, reason: describe(errno)))
                    continue
                }
            }
            if isDirectory(info) {
                guard depth < maximumDepth else {
                    listing.problems.append(.tooDeep(path: relativePath))
                    continue
                }
                listing.directories.insert(relativePath)
                walk(directory: path, relative: relativePath, depth: depth + 1, root: root, into: &listing)
            } else if isRegularFile(info) {
                listing.files[relativePath] = UInt64(info.st_size)
            }
        }
    }

    private static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }
    private static func isRegularFile(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFREG }
    private static func isSymbolicLink(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFLNK }

    private static func describe(_ error: Int32) -> String { String(cString: strerror(error)) }
}
