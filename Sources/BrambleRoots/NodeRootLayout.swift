import BrambleNodeMap

/// Where the shared base image and each node's own NFS root live on the hub.
///
/// The base image stays where the guide puts it (`<pxe>/root`); each node's own root is
/// `<pxe>/roots/<node name>`, a sibling directory rather than a child of the base, so that
/// copying or exporting the base never takes the node roots with it. The node's name, not
/// its ID, names the directory because the name is what the operator sees in `ls`, in
/// `/etc/exports` and in the node's `cmdline.txt`.
public struct NodeRootLayout: Hashable, Sendable {
    /// The shared base image every node root is made from.
    public var baseImage: String
    /// The directory holding one root per node.
    public var rootsDirectory: String

    public init(baseImage: String, rootsDirectory: String) {
        self.baseImage = baseImage
        self.rootsDirectory = rootsDirectory
    }

    /// The layout under a `pxe` directory: `<pxe>/root` and `<pxe>/roots`.
    public init(pxe: String) {
        let parent = pxe.hasSuffix("/") && pxe.count > 1 ? String(pxe.dropLast()) : pxe
        self.init(baseImage: parent + "/root", rootsDirectory: parent + "/roots")
    }

    /// The node's own root: `<rootsDirectory>/<name>`.
    public func rootPath(for node: NodeEntry) -> String {
        rootsDirectory + "/" + node.name
    }
}
