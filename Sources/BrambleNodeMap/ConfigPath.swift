/// Path arithmetic for settings that name files. A relative path in a config file means
/// "next to this config file", so a config directory can be moved or checked out anywhere
/// (the sample `etc/bramble.conf` says `nodes = nodes`, `pxe = ../pxe`).
///
/// Paths are joined, never normalised: collapsing `..` by text would be wrong when a directory
/// on the way is a symbolic link, and the kernel resolves it correctly when the file is opened.
public enum ConfigPath {
    /// The directory part of a file path; nil for a bare file name, which lives in the current
    /// directory, so paths relative to it need no change.
    public static func directory(of file: String) -> String? {
        guard let slash = file.lastIndex(of: "/") else { return nil }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    /// `path` unchanged when absolute (or when there is no directory to resolve against),
    /// otherwise `directory/path`.
    public static func resolve(_ path: String, relativeTo directory: String?) -> String {
        guard let directory, !path.hasPrefix("/") else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
