import BrambleTFTP

/// A boot tree as a set of file paths; directories are implied by them. `escaping` marks
/// paths that stand for symbolic links leading outside the root. Files hold `contents`
/// (their path's bytes unless given), and open as the daemon's tree would fail them:
/// `unopenable` files exist but cannot be opened (permissions), `vanished` ones were
/// removed between the lookup and the open.
struct InMemoryBootTree: TFTPServedTree {
    var files: Set<String>
    var escaping: Set<String> = []
    var contents: [String: [UInt8]] = [:]
    var unopenable: Set<String> = []
    var vanished: Set<String> = []

    func entry(at relativePath: String) -> TFTPBootTreeEntry {
        if escaping.contains(relativePath) { return .outsideRoot }
        if files.contains(relativePath) { return .file }
        if files.contains(where: { $0.hasPrefix(relativePath + "/") }) { return .directory }
        return .missing
    }

    func open(_ relativePath: String) -> TFTPBootFileOpening {
        if unopenable.contains(relativePath) { return .denied(reason: "open(\(relativePath)): Permission denied") }
        guard files.contains(relativePath), !vanished.contains(relativePath) else {
            return .missing(reason: "open(\(relativePath)): No such file or directory")
        }
        return .opened(contents[relativePath] ?? Array(relativePath.utf8))
    }
}
