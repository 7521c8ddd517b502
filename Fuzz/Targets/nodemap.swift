import BrambleNodeMap
import BrambleWire

/// `nodemap`: the node map parser, validator and editor. The input's first line is a node
/// as `bramble nodes add` takes it on the command line; the rest is the file.
///
/// Invariants: the document gives back its text byte for byte; each entry is what its own
/// line parses to; a valid map finds each node by ID, MAC and name and gives it an address
/// in the subnet; adding, replacing and removing a node each change exactly one line, and
/// parsing the edited text gives back the edited text and exactly the expected entries
/// (parse, edit, parse is stable).
private let subnet = IPv4Interface("10.42.0.250/24")!.subnet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNodeMap(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let newline = text.utf8.firstIndex(of: UInt8(ascii: "\n")) ?? text.utf8.endIndex
    let commandLine = String(text[..<newline])
    let fileText = newline == text.endIndex ? "" : String(text[text.utf8.index(after: newline)...])

    let document = NodeMapDocument(parsing: fileText, fileName: "nodes")
    invariant(document.text == fileText, "the document does not give back its text")
    for entry in document.entries {
        invariant(entry.line >= 1 && entry.line <= document.lines.count, "entry on line \(entry.line) of \(document.lines.count)")
        let alone = NodeEntry.parse(line: String(document.lines[entry.line - 1]))
        invariant((try? alone.get()).map { same($0, entry) } == true, "line \(entry.line) parses differently on its own")
    }
    if let map = try? NodeMap(document: document, subnet: subnet) {
        for node in map.nodes {
            invariant(subnet.contains(map.address(of: node)), "node \(node.id) outside the subnet")
            invariant(map.node(id: node.id) == node, "node \(node.id) not found by ID")
            if let mac = node.mac { invariant(map.node(mac: mac) == node, "node \(node.id) not found by MAC") }
            invariant(map.node(named: node.name)?.id == node.id, "node \(node.id) not found by its name \(node.name)")
            invariant(map.node(address: map.address(of: node)) == node, "node \(node.id) not found by its address")
        }
    }

    guard case .success(let entry) = NodeEntry.parse(line: commandLine) else { return 0 }
    if !document.entries.contains(where: { $0.id == entry.id }) {
        let added = document.adding(entry)
        let after = reparse(added)
        invariant(after.lines.count == document.lines.count + 1, "adding a node changed \(after.lines.count - document.lines.count) lines")
        invariant(sorted(after.entries) == sorted(document.entries + [entry]), "adding node \(entry.id) gave entries \(after.entries)")
        var untouched = after.lines
        if let inserted = after.entries.first(where: { same($0, entry) }) { untouched.remove(at: inserted.line - 1) }
        invariant(untouched == document.lines, "adding a node changed other lines")
    }
    if let existing = document.entries.first, let replaced = document.replacing(nodeID: existing.id, with: entry) {
        let after = reparse(replaced)
        invariant(after.lines.count == document.lines.count, "replacing a node changed the line count")
        let rewritten = after.entries.first { $0.line == existing.line }
        invariant(rewritten.map { same($0, entry) } == true, "replacing node \(existing.id) wrote \(String(describing: rewritten)), not \(entry)")
        for index in document.lines.indices where index != existing.line - 1 {
            invariant(after.lines[index] == document.lines[index], "replacing a node changed line \(index + 1)")
        }
    }
    // Edits act on the first line of an ID (a map with an ID twice is invalid, but the
    // document still holds both lines).
    if let last = document.entries.last, let existing = document.entries.first(where: { $0.id == last.id }),
       let removed = document.removing(nodeID: existing.id) {
        let after = reparse(removed)
        var expected = document.lines
        expected.remove(at: existing.line - 1)
        // Compared as text: one empty line with no newline after it and no lines at all are
        // both the empty file, so line arrays alone would call a correct edit wrong.
        let expectedText = expected.joined(separator: "\n") + (document.endsWithNewline && !expected.isEmpty ? "\n" : "")
        invariant(removed == expectedText, "removing node \(existing.id) changed other lines")
        var entries = document.entries
        entries.removeAll { $0.line == existing.line }
        invariant(sorted(after.entries) == sorted(entries), "removing node \(existing.id) gave entries \(after.entries)")
    }
    return 0
}

private func reparse(_ text: String) -> NodeMapDocument {
    let document = NodeMapDocument(parsing: text, fileName: "nodes")
    invariant(document.text == text, "edited text does not parse back to itself")
    return document
}

/// The same node, wherever its line is.
private func same(_ a: NodeEntry, _ b: NodeEntry) -> Bool {
    a.id == b.id && a.hardwareAddress == b.hardwareAddress && a.explicitName == b.explicitName && a.settings == b.settings
}

private func sorted(_ entries: [NodeEntry]) -> [String] {
    entries.map { "\($0.id) \($0.hardwareAddress) \($0.explicitName ?? "-") \($0.settings.tokens)" }.sorted()
}
