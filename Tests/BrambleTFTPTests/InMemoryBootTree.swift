import BrambleTFTP

/// A boot tree as a set of file paths; directories are implied by them. `escaping` marks
/// paths that stand for symbolic links leading outside the root.
struct InMemoryBootTree: TFTPBootTree {
    var files: Set<String>
    var escaping: Set<String> = []

    func entry(at relativePath: String) -> TFTPBootTreeEntry {
        if escaping.contains(relativePath) { return .outsideRoot }
        if files.contains(relativePath) { return .file }
        if files.contains(where: { $0.hasPrefix(relativePath + "/") }) { return .directory }
        return .missing
    }
}
