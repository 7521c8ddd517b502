import BrambleNodeMap
import BrambleWire

/// What is on disk where a node's root should be.
public enum RootDirectoryState: Hashable, Sendable {
    case directory
    case missing
    case notADirectory
}

/// The `cmdline.txt` a node gets over TFTP, as the TFTP server would resolve and render it.
public enum NodeCmdline: Hashable, Sendable {
    /// The text, and the boot-tree path it comes from (`nodes/node05/cmdline.txt.tmpl`).
    case text(String, path: String)
    /// No `cmdline.txt` anywhere the node's requests look.
    case missing
    /// There is one, but it cannot be served (a template with an unknown key, unreadable).
    case unusable(path: String, reason: String)
}

/// One thing wrong with a node's root, phrased without the node's name so the report can
/// list the nodes that share it once.
public enum NodeRootProblem: Hashable, Sendable, CustomStringConvertible {
    case rootMissing(path: String)
    case rootNotADirectory(path: String)
    case notExported(path: String)
    /// Exported, but to none of the node's address or names.
    case exportedToOthers(path: String, clients: [String])
    case readOnly(path: String, client: String)
    case rootSquashed(path: String, client: String)
    /// The node's own root is open to more than the node: with `no_root_squash`, any of
    /// them is root on its files.
    case exportedBeyondNode(path: String, clients: [String])
    /// The node's kernel will mount another root than the node map says.
    case cmdlinePointsElsewhere(cmdlinePath: String, nfsroot: String, expected: String)
    case cmdlineMissing
    case cmdlineUnusable(path: String, reason: String)

    public var description: String {
        switch self {
        case .rootMissing(let path):
            "\(path) does not exist: make it with 'bramble roots create', or fix root= in the node map"
        case .rootNotADirectory(let path):
            "\(path) is not a directory, so it cannot be the node's root"
        case .notExported(let path):
            "\(path) is not exported: run 'bramble roots export' (or add it to /etc/exports)"
        case .exportedToOthers(let path, let clients):
            "\(path) is exported only to \(clients.joined(separator: ", ")), not to the node's address: run 'bramble roots export'"
        case .readOnly(let path, let client):
            "\(path) is exported read-only (\(client)): a node's own root needs rw"
        case .rootSquashed(let path, let client):
            "\(path) is exported with root squashed (\(client)): an NFS root needs no_root_squash, or the node cannot read /etc/shadow or write /var/log"
        case .exportedBeyondNode(let path, let clients):
            "\(path) is also exported to \(clients.joined(separator: ", ")): a node's own root should go to its address alone"
        case .cmdlinePointsElsewhere(let cmdlinePath, let nfsroot, let expected):
            "\(cmdlinePath) mounts nfsroot=\(nfsroot), not the node's root \(expected): use nfsroot={{root}} in a cmdline.txt.tmpl, or fix root= in the node map"
        case .cmdlineMissing:
            "no cmdline.txt in the boot tree for this node"
        case .cmdlineUnusable(let path, let reason):
            "\(path) cannot be served: \(reason)"
        }
    }
}

/// A node's root as checked: where it is and what is wrong with it.
public struct NodeRootStatus: Hashable, Sendable {
    public let node: String
    public let id: Int
    public let root: NodeRootSource
    /// Nil in proxy mode before the node was seen: exports are then not checked.
    public let address: IPv4Address?
    /// Whether the hub serves the root (false: `root=` names another server; not checked).
    public let isServedByHub: Bool
    public let problems: [NodeRootProblem]
}

/// `bramble roots check`: for every node, is its root there, exported to it (and only to
/// it, when it is the node's own), and does the `cmdline.txt` it gets mount it? Pure: the
/// command gathers the exports files, what is at each root path and each node's rendered
/// `cmdline.txt`.
public struct NodeRootCheck: Hashable, Sendable {
    public let nodes: [NodeRootStatus]
    /// Bad lines of the exports files read.
    public let exportDiagnostics: [ExportsFileDiagnostic]

    public var problemCount: Int { nodes.reduce(0) { $0 + $1.problems.count } + exportDiagnostics.count }

    /// - Parameters:
    ///   - exportFiles: every exports file the NFS server reads (`/etc/exports`,
    ///     `/etc/exports.d/*.exports`), bramble's own among them.
    ///   - rootStates: what is at each root path; a path not in it counts as missing.
    ///   - cmdlines: each node's `cmdline.txt` by node ID; a node not in it is not checked.
    ///   - domain: the cluster domain, so exports to `node05.cluster` are recognised.
    public init(
        nodeMap: NodeMap, layout: NodeRootLayout, hub: IPv4Address, domain: String,
        exportFiles: [ExportsFile], rootStates: [String: RootDirectoryState], cmdlines: [Int: NodeCmdline]
    ) {
        exportDiagnostics = exportFiles.flatMap(\.diagnostics)
        var exportsByPath: [String: [NFSExportClient]] = [:]
        for file in exportFiles {
            for export in file.exports { exportsByPath[Self.normalized(export.path), default: []] += export.clients }
        }
        nodes = nodeMap.nodes.sorted { $0.id < $1.id }.map { node in
            let source = NodeRootSource(node: node, layout: layout, hub: hub)
            let address = nodeMap.knownAddress(of: node)
            guard source.isServed(by: hub) else {
                return NodeRootStatus(node: node.name, id: node.id, root: source, address: address, isServedByHub: false, problems: [])
            }
            var problems: [NodeRootProblem] = []
            switch rootStates[source.path] ?? .missing {
            case .directory: break
            case .missing: problems.append(.rootMissing(path: source.path))
            case .notADirectory: problems.append(.rootNotADirectory(path: source.path))
            }
            if let address {
                let names = [node.name, "\(node.name).\(domain)"]
                problems += Self.exportProblems(
                    path: source.path, isOwnRoot: source.path != layout.baseImage, clients: exportsByPath[Self.normalized(source.path)] ?? [],
                    address: address, names: names)
            }
            if let cmdline = cmdlines[node.id] {
                problems += Self.cmdlineProblems(cmdline, root: source, hub: hub, address: address)
            }
            return NodeRootStatus(node: node.name, id: node.id, root: source, address: address, isServedByHub: true, problems: problems)
        }
    }

    private static func exportProblems(
        path: String, isOwnRoot: Bool, clients: [NFSExportClient], address: IPv4Address, names: [String]
    ) -> [NodeRootProblem] {
        guard !clients.isEmpty else { return [.notExported(path: path)] }
        let admitting = clients.filter { $0.admits(address, names: names) }
        // exportfs gives a host the options of its most specific match; an address beats a
        // network or wildcard (exports(5), "Machine Name Formats").
        guard let chosen = admitting.first(where: \.isSingleAddress) ?? admitting.first else {
            return [.exportedToOthers(path: path, clients: clients.map(\.host))]
        }
        var problems: [NodeRootProblem] = []
        if isOwnRoot && !chosen.isReadWrite { problems.append(.readOnly(path: path, client: chosen.description)) }
        if !chosen.keepsRoot { problems.append(.rootSquashed(path: path, client: chosen.description)) }
        if isOwnRoot {
            // The node's own address, or its own name (one host, if DNS says so), and no one else.
            let own = Set(names.map { $0.lowercased() })
            let others = clients.filter { !($0.isSingleAddress && $0.admits(address)) && !own.contains($0.host.lowercased()) }.map(\.host)
            if !others.isEmpty { problems.append(.exportedBeyondNode(path: path, clients: others)) }
        }
        return problems
    }

    /// The kernel mounts `nfsroot=[SERVER:]PATH[,OPTIONS]` (the last one wins), with `%s` in
    /// PATH replaced by the node's address; without `nfsroot=` it mounts DHCP option 17,
    /// which bramble fills from the same `root=` (kernel Documentation/admin-guide/nfs/nfsroot.rst,
    /// https://docs.kernel.org/admin-guide/nfs/nfsroot.html). The server is the hub's
    /// business (`bramble check`'s cmdline.txt section); here the path must be the node's.
    private static func cmdlineProblems(_ cmdline: NodeCmdline, root: NodeRootSource, hub: IPv4Address, address: IPv4Address?) -> [NodeRootProblem] {
        switch cmdline {
        case .missing: return [.cmdlineMissing]
        case .unusable(let path, let reason): return [.cmdlineUnusable(path: path, reason: reason)]
        case .text(let text, let cmdlinePath):
            let parameters = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            guard let value = parameters.last(where: { $0.hasPrefix("nfsroot=") })?.dropFirst("nfsroot=".count) else { return [] }
            let target = value.prefix { $0 != "," }
            var path = String(target.drop { $0 != ":" }.dropFirst())
            if !target.contains(":") { path = String(target) }
            if let address { path = path.replacingPercentS(with: address.description) }
            let server = target.contains(":") ? IPv4Address(target.prefix { $0 != ":" }) : nil
            let serverMatches = !target.contains(":") || server == (root.server ?? hub)
            guard serverMatches, normalized(path) == normalized(root.path) else {
                return [.cmdlinePointsElsewhere(cmdlinePath: cmdlinePath, nfsroot: String(value), expected: root.text)]
            }
            return []
        }
    }

    /// Paths compare without a trailing slash: `/pxe/roots/node05/` is the same export.
    static func normalized(_ path: String) -> String {
        // Bytes, not Characters: a combining mark after a "/" is one Character with it.
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// `%s` replaced as the kernel's nfsroot does it (the client's address as text).
    func replacingPercentS(with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: "%s") {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
