import BrambleNodeMap
import BrambleWire

/// What `bramble migrate` makes of a hub's dnsmasq configuration: every option line's fate
/// (mapped to a bramble.conf key, not needed, or not supported), the bramble.conf and node
/// map it writes, and why each node line did or did not become a node.
///
/// Built from ``DnsmasqSetup`` with the importer's own classification
/// (``DnsmasqImport``, ``ImportPlan``), so `bramble migrate` and `bramble nodes
/// import-dnsmasq` never disagree about a line.
struct MigrationPlan {
    /// One dnsmasq line and what becomes of it, for the plan's listing.
    struct Line {
        enum Fate: Equatable {
            case mapped(key: String, value: String)
            case notNeeded(String)
            case notSupported(String)
            case readToo(String)
            case node(String)
            case notImported(String)
        }

        let file: String
        let line: Int
        let text: String
        let fate: Fate
        /// What of a converted entry the node map does not keep (a tag, a lease time).
        var notes: [String] = []
    }

    /// A bramble.conf key the plan sets, with the dnsmasq line it comes from (or why it is set).
    struct Setting: Equatable {
        let key: String
        let value: String
        let origin: String
    }

    private(set) var lines: [Line] = []
    private(set) var settings: [Setting] = []
    private(set) var nodesText = ""
    private(set) var nodeCount = 0
    let sources: [String]

    /// - Parameters:
    ///   - address: the hub's address on the cluster interface and how it was found.
    ///   - nodesPath: where the node map goes (a hub path), named in bramble.conf.
    ///   - currentNodes: the node map there now ("" when none); imported nodes merge into it
    ///     as `bramble nodes import-dnsmasq` merges (placeholders filled, conflicts reported).
    init(setup: DnsmasqSetup, address: (IPv4Interface, origin: String), nodesPath: String, currentNodes: String) {
        sources = setup.sources.map(\.path)
        var document = NodeMapDocument(parsing: currentNodes, fileName: nodesPath)
        var importPlan = ImportPlan()
        settings.append(Setting(key: "address", value: "\(address.0)", origin: address.origin))
        for source in setup.sources {
            let result = source.result
            let before = importPlan.messages.count
            let text = importPlan.apply(result.nodes, to: document, map: nil, importFile: source.path)
            document = NodeMapDocument(parsing: text, fileName: nodesPath)
            let conflicts = Set(importPlan.messages.dropFirst(before))
            for hint in result.configHints {
                lines.append(Line(file: source.path, line: hint.line, text: source.text(ofLine: hint.line), fate: fate(of: hint, file: source.path, setup: setup)))
            }
            for node in result.nodes {
                // Written as the importer writes it: a name equal to the default is left out.
                let name = node.name == NodeName.defaultName(forID: node.id) ? nil : node.name
                let entryText = NodeEntry(
                    id: node.id, hardwareAddress: .mac(node.mac), explicitName: name, settings: NodeSettings(disabled: node.disabled), line: 0
                ).tokens.joined(separator: " ")
                let refused = conflicts.first { $0.hasPrefix("\(source.path):\(node.line): ") }
                let fate: Line.Fate = refused.map { .notImported(String($0.dropFirst("\(source.path):\(node.line): not imported: ".count))) }
                    ?? .node(entryText)
                let notes = result.notes.filter { $0.line == node.line }.map(\.note)
                lines.append(Line(file: source.path, line: node.line, text: source.text(ofLine: node.line), fate: fate, notes: notes))
            }
            for unconverted in result.unconverted {
                let reason = source.role == .extraHosts
                    ? "a name without a MAC: bramble names nodes from the node map (\(unconverted.reason))"
                    : unconverted.reason
                lines.append(Line(file: source.path, line: unconverted.line, text: source.text(ofLine: unconverted.line), fate: .notImported(reason)))
            }
        }
        settings.append(Setting(key: "nodes", value: nodesPath, origin: "the node map this migration writes"))
        let order = Dictionary(sources.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        lines.sort { (order[$0.file] ?? 0, $0.line) < (order[$1.file] ?? 0, $1.line) }
        nodesText = document.text
        nodeCount = document.entries.count
    }

    /// What one option becomes: its setting is kept unless bramble.conf already has the key
    /// (keys may be set once, `upstream` many times).
    private mutating func fate(of hint: ConfigHint, file: String, setup: DnsmasqSetup) -> Line.Fate {
        switch hint.kind {
        case .setting(let key, let value):
            if key != "upstream", let earlier = settings.first(where: { $0.key == key }) {
                return .notSupported("bramble.conf already sets \(key) = \(earlier.value) (\(earlier.origin)); this one is not used")
            }
            settings.append(Setting(key: key, value: value, origin: "\(file):\(hint.line): \(hint.text.trimmingSpaces)"))
            return .mapped(key: key, value: value)
        case .builtIn:
            return .notNeeded(Self.dropping(hint.advice, prefix: "not needed: "))
        case .importAlso(let path):
            let read = setup.sources.contains { $0.path == path || $0.path.hasPrefix(path.hasSuffix("/") ? path : path + "/") }
            return read ? .readToo(path) : .notSupported("\(path) could not be read (see below)")
        case .unsupported:
            return .notSupported(Self.dropping(hint.advice, prefix: "not supported by bramble; not imported"))
        }
    }

    private static func dropping(_ text: String, prefix: String) -> String {
        guard text.hasPrefix(prefix) else { return text }
        var rest = text.dropFirst(prefix.count)
        if rest.hasPrefix(" (") && rest.hasSuffix(")") { rest = rest.dropFirst(2).dropLast() }
        return rest.isEmpty ? "bramble has no equivalent" : String(rest)
    }

    /// bramble.conf as the plan writes it: a header naming the dnsmasq files, then each key
    /// with the dnsmasq line it came from.
    var configurationText: String {
        var text = """
            # bramble.conf written by `bramble migrate` from the hub's dnsmasq configuration:
            # \(sources.joined(separator: ", ")).
            # `bramble check` validates it; docs/configuration.md describes every key.

            """
        for setting in settings {
            text += "\n# \(setting.origin)\n\(setting.key) = \(setting.value)\n"
        }
        return text
    }

    /// The plan as `bramble migrate` prints it.
    func report(writes: [String], problems: [String]) -> [String] {
        var output = ["dnsmasq configuration read: \(sources.joined(separator: ", "))", ""]
        output.append("every dnsmasq line and what bramble does with it:")
        for line in lines {
            let fate: String = switch line.fate {
            case .mapped(let key, let value): "mapped: bramble.conf `\(key) = \(value)`"
            case .notNeeded(let why): "not needed: \(why)"
            case .notSupported(let why): "not supported: \(why); dnsmasq did what the line says, bramble will not"
            case .readToo(let path): "read too: \(path)"
            case .node(let entry): "node: node map `\(entry)`"
            case .notImported(let why): "not imported: \(why)"
            }
            output.append("  \(line.file):\(line.line): \(line.text)")
            output.append("      -> \(fate)")
            output += line.notes.map { "         note: \($0)" }
        }
        if !problems.isEmpty {
            output.append("files dnsmasq would read that could not be read here:")
            output += problems.map { "  \($0)" }
        }
        output.append("")
        output.append("bramble.conf settings:")
        for setting in settings {
            output.append("  \(setting.key) = \(setting.value)    (\(setting.origin))")
        }
        output.append("node map: \(nodeCount) node\(nodeCount == 1 ? "" : "s")")
        output.append("")
        output += writes
        return output
    }
}
