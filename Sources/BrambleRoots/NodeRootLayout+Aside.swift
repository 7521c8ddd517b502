import BrambleNodeMap

/// The names beside the node roots that `bramble roots` keeps for itself. They start with a
/// dot so they never collide with a node's root (a node name cannot start with one, RFC 1123)
/// and are never exported: only `<roots>/<node name>` is a root.
extension NodeRootLayout {
    /// Where a root is built before it is renamed into place: `<roots>/.<name>.partial`.
    /// A directory by this name is a create that did not finish, never a usable root.
    public func partialPath(forNodeNamed name: String) -> String {
        rootsDirectory + "/" + Self.partialName(forNodeNamed: name)
    }

    /// What `create` records about a finished root (its mode, the base it came from):
    /// `<roots>/.<name>.made`, written after the rename, so `list` can say how it was made.
    public func recordPath(forNodeNamed name: String) -> String {
        rootsDirectory + "/" + Self.recordName(forNodeNamed: name)
    }

    /// Where `rm` moves roots aside: `<roots>/.removed`.
    public var removedDirectory: String { rootsDirectory + "/" + Self.removedName }

    public static func partialName(forNodeNamed name: String) -> String { "." + name + ".partial" }
    public static func recordName(forNodeNamed name: String) -> String { "." + name + ".made" }
    public static let removedName = ".removed"
}
