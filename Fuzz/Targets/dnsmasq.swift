import BrambleNodeMap
import BrambleWire

/// `dnsmasq`: the importer of dnsmasq configurations (`bramble nodes import`), and the
/// node map it writes from what it converts.
///
/// Invariants: conversion is total; every line it reports on is a line of the file, and no
/// line is both converted and reported as not converted; every converted node has an ID
/// in the subnet, and written into a node map as `bramble nodes import` writes it, it
/// reads back as the same node, in a map that validates when IDs and MACs are distinct.
private let subnet = IPv4Interface("10.42.0.250/24")!.subnet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDnsmasq(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let result = DnsmasqImport.convert(text: text, fileName: "dnsmasq.conf", subnet: subnet, domain: "cluster")
    let lines = result.nodes.map(\.line) + result.unconverted.map(\.line) + result.configHints.map(\.line)
        + result.notes.map(\.line) + result.commentOrBlankLines
    for line in lines {
        invariant(line >= 1 && line <= result.lineCount, "a report on line \(line) of \(result.lineCount)")
    }
    let converted = Set(result.nodes.map(\.line))
    for line in result.unconverted where converted.contains(line.line) {
        invariant(false, "line \(line.line) both converted and not: \(line.reason)")
    }
    _ = result.reportLines

    var document = NodeMapDocument(parsing: "", fileName: "nodes")
    var ids: Set<Int> = []
    var macs: Set<MACAddress> = []
    for node in result.nodes {
        invariant(subnet.host(node.id) != nil, "imported node \(node.id) is outside \(subnet)")
        guard ids.insert(node.id).inserted, macs.insert(node.mac).inserted else { continue }
        let name = node.name == NodeName.defaultName(forID: node.id) ? nil : node.name
        let entry = NodeEntry(id: node.id, hardwareAddress: .mac(node.mac), explicitName: name,
                              settings: NodeSettings(disabled: node.disabled), line: 0)
        let text = document.adding(entry)
        document = NodeMapDocument(parsing: text, fileName: "nodes")
        invariant(document.lineDiagnostics.isEmpty, "imported node \(entry.tokens) writes a line the map rejects: \(document.lineDiagnostics)")
        let written = document.entries.first { $0.id == node.id }
        invariant(written?.mac == node.mac && written?.explicitName == name && written?.settings.disabled == node.disabled,
                  "imported node \(entry.tokens) reads back as \(String(describing: written))")
    }
    do {
        _ = try NodeMap(document: document, subnet: subnet)
    } catch {
        // Names may still clash (two hosts called the same); anything else is the importer's fault.
        let clashes = error.diagnostics.allSatisfy { "\($0.problem)".contains("name") }
        invariant(clashes, "imported nodes give an invalid map: \(error)")
    }
    return 0
}
