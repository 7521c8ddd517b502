import BrambleWire

/// Converts a dnsmasq configuration (dnsmasq.conf, a dhcp-hostsfile, or /etc/ethers) into
/// node-map entries and bramble.conf advice, for `bramble nodes import-dnsmasq FILE`.
///
/// Pure: text in, values out. The caller reads the file and merges the nodes into the node
/// map, so the conversion can be tested line by line and never half-writes anything.
public enum DnsmasqImport {
    /// - Parameters:
    ///   - text: the whole file.
    ///   - fileName: how to name the file in messages (``DnsmasqImportResult/reportLines``).
    ///   - subnet: the cluster subnet; a node's ID is its address's host number in it.
    ///   - domain: the cluster domain, dropped from names such as `node07.cluster`. A domain
    ///     the file sets with `domain=` is dropped too, since those names meant the same.
    public static func convert(text: String, fileName: String, subnet: IPv4Subnet, domain: String) -> DnsmasqImportResult {
        let lines = DnsmasqText.lines(of: text)
        let shapes = lines.map(DnsmasqLineShape.init(line:))
        var converter = DnsmasqHostConverter(subnet: subnet, domains: [domain] + domainsSet(by: shapes))
        var result = DnsmasqImportResult(
            fileName: fileName, lineCount: lines.count, nodes: [], unconverted: [], configHints: [], notes: [],
            commentOrBlankLines: []
        )
        for (index, (line, shape)) in zip(lines, shapes).enumerated() {
            let number = index + 1
            switch shape {
            case .commentOrBlank:
                result.commentOrBlankLines.append(number)
            case .option(let name, let value):
                let hint = DnsmasqOptionAdvice.hint(option: name, value: value, subnet: subnet)
                result.configHints.append(ConfigHint(line: number, text: String(line), kind: hint.kind, advice: hint.advice))
            case .hostEntry(let fields, let form):
                switch converter.convert(fields: fields, form: form, line: number) {
                case .node(let node, let notes):
                    result.nodes.append(node)
                    result.notes += notes.map { ImportNote(line: number, note: $0) }
                case .unconverted(let reason):
                    result.unconverted.append(UnconvertedLine(line: number, text: String(line), reason: reason))
                }
            }
        }
        return result
    }

    /// The domains the file's `domain=` lines set (the first field: `domain=cluster,10.42.0.0/24`).
    private static func domainsSet(by shapes: [DnsmasqLineShape]) -> [String] {
        shapes.compactMap { shape in
            guard case .option("domain", let value?) = shape,
                  let first = DnsmasqText.fields(of: value, separatedBy: UInt8(ascii: ",")).first, !first.isEmpty
            else { return nil }
            return String(first)
        }
    }
}
