/// `roots-keep`: paths inside a node's root that are the node's own, kept by
/// `bramble roots update` when the rest of the root is replaced by a new base image.
///
/// Written as absolute paths as the node sees them (`/var/lib/docker /home`), separated by
/// spaces; a `*` in the last component matches any run of characters
/// (`/etc/ssh/ssh_host_*`). A directory is kept with everything under it.
public struct RootsKeepList: Hashable, Sendable {
    /// The paths relative to the root, without the leading `/`: `var/lib/docker`.
    public var paths: [String]

    public init(paths: [String] = []) { self.paths = paths }

    public init(parsing text: String) throws(InvalidConfigValue) {
        var paths: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
            guard word.hasPrefix("/") else {
                throw InvalidConfigValue("'\(word)' is not an absolute path: write the path as the node sees it, e.g. /var/lib/docker")
            }
            let components = word.split(separator: "/", omittingEmptySubsequences: true)
            guard !components.isEmpty else { throw InvalidConfigValue("'/' would keep the whole root: name the directories that are the node's own") }
            if components.contains(where: { $0 == ".." || $0 == "." }) {
                throw InvalidConfigValue("'\(word)': '.' and '..' are not allowed; write the path plainly")
            }
            if components.dropLast().contains(where: { $0.contains("*") }) {
                throw InvalidConfigValue("'\(word)': a '*' may only appear in the last component")
            }
            paths.append(components.joined(separator: "/"))
        }
        self.paths = paths
    }
}
