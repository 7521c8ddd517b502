import Glibc

/// Removing a tree (an interrupted create's partial root, a root `rm --delete` names)
/// without following a single link: each directory is opened with O_NOFOLLOW relative to
/// its parent and emptied with unlinkat, so a link to `/` inside it removes the link only.
public enum TreeRemover {
    /// Removes `name` in the open directory `parent` and everything under it.
    public static func remove(_ name: String, in parent: Int32, path: String) throws(RootFileError) {
        try remove(FileName(name), in: parent, path: path)
    }

    static func remove(_ name: FileName, in parent: Int32, path: String) throws(RootFileError) {
        let info = try Directory.status(of: name, in: parent, path: path)
        if info.isDirectory {
            let directory = try Directory.open(name, in: parent, path: path)
            for child in try Directory.names(directory.fd, path: path) {
                try remove(child, in: directory.fd, path: path + "/" + child.display)
            }
        }
        guard name.withCString({ unlinkat(parent, $0, info.isDirectory ? AT_REMOVEDIR : 0) }) == 0 else {
            throw RootFileError(path: path, operation: "remove", errno: errno)
        }
    }
}
