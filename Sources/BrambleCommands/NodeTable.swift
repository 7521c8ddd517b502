import BrambleNodeMap
import BrambleWire

/// The node map as an aligned text table with a summary line.
enum NodeTable {
    static func render(_ map: NodeMap, models: ReportedModels = ReportedModels()) -> String {
        let header = ["ID", "MAC", "IP", "NAME", "VENDOR", "MODEL", "SETTINGS"]
        let rows = map.nodes.map { node -> [String] in
            let listing = NodeListing(node: node, in: map, models: models)
            var settings = node.settings.tokens
            if !listing.enrolled { settings.insert("(not enrolled)", at: 0) }
            return [String(node.id), listing.mac, listing.ip, node.name, listing.vendor ?? "-", listing.model ?? "-", settings.joined(separator: " ")]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                text += column == cells.count - 1 ? cell : cell.padding(to: widths[column] + 2)
            }
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        var out = line(header)
        for row in rows { out += line(row) }
        let enrolled = map.nodes.filter { $0.mac != nil }.count
        let disabled = map.nodes.filter { $0.settings.disabled }.count
        out += "\(map.nodes.count) nodes in \(map.fileName): \(enrolled) with a MAC, \(map.nodes.count - enrolled) awaiting enrollment, \(disabled) disabled\n"
        return out
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
