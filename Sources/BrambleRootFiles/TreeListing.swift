import BrambleRoots
import Glibc

/// A tree's entries as ``TreeEntry`` values, for the update plan: walked without following
/// links, paths relative to the top.
public enum TreeListing {
    public static func walk(_ path: String) throws(RootFileError) -> [TreeEntry] {
        let root = try Directory.open(path: path)
        var entries: [TreeEntry] = []
        var info = stat()
        guard fstat(root.fd, &info) == 0 else { throw RootFileError(path: path, operation: "stat", errno: errno) }
        try visit(root.fd, relative: "", top: path, device: UInt64(info.st_dev), into: &entries)
        return entries
    }

    /// Mount points (a directory on another device than the top) are listed, not walked.
    private static func visit(_ directory: Int32, relative: String, top: String, device: UInt64, into entries: inout [TreeEntry]) throws(RootFileError) {
        for name in try Directory.names(directory, path: top + "/" + relative) {
            let childRelative = relative.isEmpty ? name.display : relative + "/" + name.display
            let info = try Directory.status(of: name, in: directory, path: top + "/" + childRelative)
            let kind: TreeEntry.Kind
            switch info.fileType {
            case S_IFDIR: kind = .directory
            case S_IFREG: kind = .file
            case S_IFLNK: kind = .symbolicLink(target: try linkTarget(name, in: directory, path: top + "/" + childRelative))
            default: kind = .special(device: UInt64(info.st_rdev))
            }
            entries.append(
                TreeEntry(
                    path: childRelative, kind: kind, mode: UInt32(info.st_mode & 0o7777), owner: info.st_uid, group: info.st_gid,
                    size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
            if info.isDirectory, UInt64(info.st_dev) == device {
                let child = try Directory.open(name, in: directory, path: top + "/" + childRelative)
                try visit(child.fd, relative: childRelative, top: top, device: device, into: &entries)
            }
        }
    }

    private static func linkTarget(_ name: FileName, in directory: Int32, path: String) throws(RootFileError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = name.withCString { readlinkat(directory, $0, &buffer, buffer.count - 1) }
        guard length >= 0 else { throw RootFileError(path: path, operation: "read link", errno: errno) }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
