import BrambleNodeMap

/// What one node's root is, decided from what the roots directory holds. Pure: the command
/// looks at the directory and passes what it saw.
public enum RootState: Hashable, Sendable, CustomStringConvertible {
    /// `<roots>/<name>` is a directory: the node's root.
    case present
    /// Nothing at `<roots>/<name>`: the node still boots the shared base (or nothing).
    case missing
    /// No root, but `<roots>/.<name>.partial` is there: a create was interrupted.
    case interrupted
    /// Something other than a directory sits at `<roots>/<name>`: never used as a root.
    case notADirectory

    public var description: String {
        switch self {
        case .present: "made"
        case .missing: "missing"
        case .interrupted: "interrupted (partial left)"
        case .notADirectory: "not a directory"
        }
    }
}

/// One entry of the roots directory as the command saw it (by lstat, so a link is a link).
public struct RootsDirectoryEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case directory, other }
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

extension RootState {
    /// The state of `nodeName`'s root among `entries`.
    public static func of(nodeNamed nodeName: String, among entries: [RootsDirectoryEntry]) -> RootState {
        if let own = entries.first(where: { $0.name == nodeName }) {
            return own.kind == .directory ? .present : .notADirectory
        }
        let partial = NodeRootLayout.partialName(forNodeNamed: nodeName)
        return entries.contains { $0.name == partial } ? .interrupted : .missing
    }

    /// Roots-directory entries that are no node's root, partial or record: roots of nodes
    /// since removed from the map (or renamed), which `list` names so they are not forgotten.
    public static func strays(among entries: [RootsDirectoryEntry], nodeNames: [String]) -> [String] {
        let names = Set(nodeNames)
        return entries.map(\.name).filter { !$0.hasPrefix(".") && !names.contains($0) }.sorted()
    }
}
