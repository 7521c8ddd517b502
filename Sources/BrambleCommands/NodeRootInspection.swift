import BrambleFiles
import BrambleNodeMap
import BrambleRoots
import BrambleServer
import BrambleTFTP
import BrambleWire
import Glibc

/// Gathers what `NodeRootCheck` judges: the exports files, what is at each root path, and
/// the `cmdline.txt` each node gets, resolved and rendered as `bramble serve`'s TFTP server
/// would (TFTPPathResolver, then BootFileTemplate). The only part of the roots check that
/// touches the disk.
enum NodeRootInspection {
    /// The files nfs-kernel-server's exportfs reads (exports(5)): `/etc/exports`, then every
    /// `*.exports` in `/etc/exports.d`.
    static func systemExportFiles(exportsFile: String) -> [String] {
        var files = ["/etc/exports"]
        let directory = "/etc/exports.d"
        files += (TextFile.directoryNames(directory) ?? []).filter { $0.hasSuffix(".exports") }.sorted().map { "\(directory)/\($0)" }
        if !files.contains(exportsFile) { files.append(exportsFile) }
        return files
    }

    /// The node map, and in proxy mode the addresses the running daemon has seen the nodes
    /// use (the router chose them; nothing else knows them), as `nodes list` shows them.
    static func withKnownAddresses(_ map: NodeMap, _ config: BrambleConfig) -> NodeMap {
        guard config.dhcpMode == .proxy else { return map }
        let reported = NodesListCommand.reportedModels(socketPath: DaemonOptions.socketPath(in: config))
        return map.addressed(by: reported.assignedAddresses(in: map))
    }

    /// Exports files larger than this are not read: 48 nodes' lines are a few kilobytes.
    static let largestExportsFile: UInt64 = 1 << 20

    static func check(_ config: BrambleConfig, nodeMap: NodeMap, exportFiles: [String]) -> NodeRootCheck {
        let layout = NodeRootLayout(pxe: config.pxeDirectory)
        let hub = config.address.address
        var parsed: [ExportsFile] = []
        for path in exportFiles where TextFile.exists(path) {
            parsed.append(readExports(path))
        }
        var states: [String: RootDirectoryState] = [:]
        var cmdlines: [Int: NodeCmdline] = [:]
        let resolver = TFTPPathResolver(nodeMap: nodeMap)
        let tree = FileSystemBootTree(root: config.bootDirectory)
        for node in nodeMap.nodes {
            let source = NodeRootSource(node: node, layout: layout, hub: hub)
            if states[source.path] == nil { states[source.path] = rootState(source.path) }
            cmdlines[node.id] = cmdline(for: node, nodeMap: nodeMap, config: config, resolver: resolver, tree: tree)
        }
        return NodeRootCheck(
            nodeMap: nodeMap, layout: layout, hub: hub, domain: config.domain.description,
            exportFiles: parsed, rootStates: states, cmdlines: cmdlines)
    }

    /// The file read and parsed; an unreadable or oversized one becomes a diagnostic on line 1
    /// rather than a failure, so the rest of the check still runs.
    static func readExports(_ path: String) -> ExportsFile {
        var info = stat()
        if stat(path, &info) == 0, UInt64(info.st_size) > largestExportsFile {
            return ExportsFile(fileName: path, unreadable: "larger than \(largestExportsFile) bytes, not an exports file")
        }
        do {
            return ExportsFile(parsing: try TextFile.read(path), fileName: path)
        } catch {
            return ExportsFile(fileName: path, unreadable: error.message)
        }
    }

    static func rootState(_ path: String) -> RootDirectoryState {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return info.st_mode & S_IFMT == S_IFDIR ? .directory : .notADirectory
    }

    /// The `cmdline.txt` the node's firmware fetches: under its `serial=` prefix when the map
    /// pins one, else the plain name; a template rendered for the node.
    static func cmdline(
        for node: NodeEntry, nodeMap: NodeMap, config: BrambleConfig, resolver: TFTPPathResolver, tree: FileSystemBootTree
    ) -> NodeCmdline {
        let name = node.settings.serial.map { "\($0)/cmdline.txt" } ?? "cmdline.txt"
        let resolved: TFTPResolvedPath
        do {
            resolved = try resolver.resolve(name, for: TFTPClient(node: node, serial: node.settings.serial), in: tree)
        } catch .notFound, .templateNeedsKnownNode {
            return .missing
        } catch {
            return .unusable(path: name, reason: error.clientMessage(for: name))
        }
        guard let real = tree.realPathInsideRoot(resolved.path) else {
            return .unusable(path: resolved.path, reason: "it leads outside the boot tree")
        }
        let bytes: [UInt8]
        do {
            var info = stat()
            if stat(real, &info) == 0, UInt64(info.st_size) > BootTreeInspection.largestTextFile {
                return .unusable(path: resolved.path, reason: "larger than \(BootTreeInspection.largestTextFile) bytes, not a text file")
            }
            bytes = try FileContents.read(real)
        } catch {
            return .unusable(path: resolved.path, reason: error.message)
        }
        guard resolved.isTemplate else { return .text(String(decoding: bytes, as: UTF8.self), path: resolved.path) }
        do {
            let template = try BootFileTemplate(parsing: bytes)
            let values = BootFileTemplateValues(
                node: node, address: nodeMap.address(of: node), serial: resolved.serial, hub: config.address.address,
                defaultRoot: config.defaultNFSRoot)
            return .text(String(decoding: template.render(values).bytes, as: UTF8.self), path: resolved.path)
        } catch {
            return .unusable(path: resolved.path, reason: error.description)
        }
    }
}
