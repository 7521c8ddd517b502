import BrambleNodeMap
import BrambleWire

/// Where a node's root file system comes from: its `root=` setting (`SERVER:/path` or
/// `/path`), else the hub's shared base image.
public struct NodeRootSource: Hashable, Sendable {
    /// The NFS server; nil when `root=` names only a path, which the kernel mounts from the
    /// DHCP server (the hub).
    public var server: IPv4Address?
    public var path: String

    public init(server: IPv4Address?, path: String) {
        self.server = server
        self.path = path
    }

    /// The node's root as the node map says: `root=`, or `HUB:<base image>` without one.
    public init(node: NodeEntry, layout: NodeRootLayout, hub: IPv4Address) {
        guard let root = node.settings.root else {
            self.init(server: hub, path: layout.baseImage)
            return
        }
        // The node map accepts only `IPv4:/path` or `/path` (NodeSettings.nfsRootProblem).
        if let colon = root.firstIndex(of: ":"), let server = IPv4Address(root[..<colon]) {
            self.init(server: server, path: String(root[root.index(after: colon)...]))
        } else {
            self.init(server: nil, path: root)
        }
    }

    /// Whether the hub serves this root: no server named, or the hub named.
    public func isServed(by hub: IPv4Address) -> Bool { server == nil || server == hub }

    /// `SERVER:/path` or `/path`, as `root=` and `nfsroot=` write it.
    public var text: String { server.map { "\($0):\(path)" } ?? path }
}
