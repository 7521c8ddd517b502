import BrambleNodeMap
import BrambleWire

/// The node map on disk: loading it for reading, and editing it so that a failed or
/// refused edit leaves the file exactly as it was.
struct NodeMapFile {
    let path: String
    let subnet: IPv4Subnet

    func load() throws -> NodeMap {
        let text = try TextFile.read(path)
        return try NodeMap(parsing: text, fileName: path, subnet: subnet)
    }

    /// Applies `change` to the current document under the directory lock, validates the
    /// result completely, and only then replaces the file. A missing file counts as empty
    /// when `creating` is true (the first `bramble nodes add`).
    @discardableResult
    func edit(creating: Bool = false, _ change: (NodeMapDocument, NodeMap?) throws -> String) throws -> NodeMap {
        try DirectoryLock.withExclusiveLock(forFile: path) {
            let text: String
            if creating && !TextFile.exists(path) {
                text = ""
            } else {
                text = try TextFile.read(path)
            }
            let document = NodeMapDocument(parsing: text, fileName: path)
            let current = try? NodeMap(document: document, subnet: subnet)
            let newText = try change(document, current)
            let updated: NodeMap
            do {
                updated = try NodeMap(parsing: newText, fileName: path, subnet: subnet)
            } catch let error as NodeMapInvalid {
                throw EditRefused(path: path, diagnostics: error.diagnostics)
            }
            try AtomicFile.replace(path, with: newText)
            return updated
        }
    }
}

/// The edit would leave the map invalid; nothing was written.
struct EditRefused: UserFacingError {
    let path: String
    let diagnostics: [NodeMapDiagnostic]

    var message: String {
        "\(path): not changed: the result would be invalid:\n"
            + diagnostics.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension NodeMapInvalid: UserFacingError {
    public var message: String { description }
}
