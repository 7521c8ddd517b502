import BrambleNodeMap
import BrambleWire

/// The exports that serve the node map's roots: each node's own root read-write to that
/// node's address alone, and the shared base image read-only to the nodes that still boot
/// it. `bramble roots export` writes ``fileText`` to `exports-file`.
///
/// The options are the ones an NFS root needs (exports(5),
/// https://man7.org/linux/man-pages/man5/exports.5.html; the Raspberry Pi network-boot
/// tutorial exports its client root `rw,sync,no_subtree_check,no_root_squash`,
/// https://www.raspberrypi.com/documentation/computers/remote-access.html#network-boot-your-raspberry-pi):
/// - `rw`: the node writes its own root (logs, package state, `/etc`); the base is `ro`, so
///   one node cannot change what the others boot.
/// - `sync`: the server answers a write only once it is on disk, so a hub crash does not lose
///   what a node believes written (exports(5) makes it the default; written to be explicit).
/// - `no_subtree_check`: the export is a whole tree that files are renamed within; subtree
///   checking costs a check per request and breaks file handles of renamed files.
/// - `no_root_squash`: a root file system is owned by root; squashed to `nobody`, the node's
///   root could not read `/etc/shadow` or write `/var/log`, and boot fails.
/// Restricting each line to the node's address is what keeps nodes out of each other's
/// roots: with `no_root_squash`, anyone the line admits is root on those files.
public struct NFSExportPlan: Hashable, Sendable {
    public static let nodeRootOptions = ["rw", "sync", "no_subtree_check", "no_root_squash"]
    public static let baseImageOptions = ["ro", "no_subtree_check", "no_root_squash"]

    /// The lines, base image first, then each path in the order of the lowest node ID using it.
    public let exports: [NFSExport]
    /// Nodes left out or served in a way worth a second look.
    public let notes: [NFSExportPlanNote]

    public init(nodeMap: NodeMap, layout: NodeRootLayout, hub: IPv4Address) {
        var clientsByPath: [String: [NFSExportClient]] = [:]
        var nodesByPath: [String: [NodeEntry]] = [:]
        var order: [String] = []
        var notes: [NFSExportPlanNote] = []
        for node in nodeMap.nodes.sorted(by: { $0.id < $1.id }) {
            let source = NodeRootSource(node: node, layout: layout, hub: hub)
            guard source.isServed(by: hub) else {
                notes.append(.servedElsewhere(node: node.name, root: source.text))
                continue
            }
            // No exports line can name a path holding a NUL byte (nor can the kernel open it).
            guard !source.path.utf8.contains(0) else {
                notes.append(.unexportablePath(node: node.name, path: source.path))
                continue
            }
            guard let address = nodeMap.knownAddress(of: node) else {
                notes.append(.addressUnknown(node: node.name))
                continue
            }
            let isBase = source.path == layout.baseImage
            let options = isBase ? Self.baseImageOptions : Self.nodeRootOptions
            if clientsByPath[source.path] == nil { order.append(source.path) }
            clientsByPath[source.path, default: []].append(NFSExportClient(host: address.description, options: options))
            nodesByPath[source.path, default: []].append(node)
        }
        for path in order where path != layout.baseImage {
            if let nodes = nodesByPath[path], nodes.count > 1 {
                notes.append(.sharedWritableRoot(path: path, nodes: nodes.map(\.name)))
            }
        }
        let sorted = order.filter { $0 == layout.baseImage } + order.filter { $0 != layout.baseImage }
        exports = sorted.map { NFSExport(path: $0, clients: clientsByPath[$0]!) }
        self.notes = notes
    }

    /// The file `bramble roots export` writes: the header that marks it as bramble's, then
    /// one line per export.
    public var fileText: String {
        var lines = [
            ExportsFile.generatedHeader,
            "# Every node's own NFS root, exported to that node's address alone; the shared base",
            "# image read-only to the nodes that still boot it. Edit the node map, then run",
            "# 'bramble roots export' again: changes made here are overwritten.",
        ]
        lines += exports.map(\.line)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Something about a node's root the plan did not, or could not, export as usual.
public enum NFSExportPlanNote: Hashable, Sendable, CustomStringConvertible {
    /// `root=` names another NFS server: that server exports it, not this hub.
    case servedElsewhere(node: String, root: String)
    /// Proxy mode before the node was seen: an export cannot be restricted to an address
    /// nobody knows yet.
    case addressUnknown(node: String)
    /// Several nodes write one root: their files will collide.
    case sharedWritableRoot(path: String, nodes: [String])
    /// The path holds a NUL byte (a config typo): no file system path can.
    case unexportablePath(node: String, path: String)

    public var description: String {
        switch self {
        case .servedElsewhere(let node, let root):
            "\(node): root=\(root) is on another server; that server must export it"
        case .addressUnknown(let node):
            "\(node): no address known yet (proxy mode, not seen booting), so its root is not exported; run 'bramble roots export' again once it has booted"
        case .unexportablePath(let node, let path):
            "\(node): its root \(path.debugDescription) holds a NUL byte, which no path can: fix pxe or root="
        case .sharedWritableRoot(let path, let nodes):
            "\(path) is the root of \(nodes.joined(separator: ", ")): they all write it; give each node its own with 'bramble roots create'"
        }
    }
}
