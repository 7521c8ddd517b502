import BrambleNodeMap
import BrambleRoots
import BrambleWire

/// `exports`: an exports file, as `bramble roots check` and `bramble check` read
/// `/etc/exports`, `/etc/exports.d/*.exports` and the kernel's etab, and as `bramble roots
/// export` reads the file it is about to replace; then the plan for a fuzzed `pxe` path.
///
/// Invariants: parsing is total (entries and diagnostics, never a trap); every diagnostic
/// and entry names a line of the text, entries in order; every export has an absolute path
/// and a client, and its line written back reads back the same; the plan's file, whatever
/// the pxe path, reads back as the plan with no diagnostic and marked as bramble's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExports(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    let lineCount = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
    let file = ExportsFile(parsing: text, fileName: "fuzz.exports")
    for diagnostic in file.diagnostics {
        invariant(diagnostic.line >= 1 && diagnostic.line <= lineCount, "diagnostic on line \(diagnostic.line) of \(lineCount)")
        _ = diagnostic.description
    }
    var previous = 0
    for entry in file.entries {
        invariant(entry.line > previous && entry.line <= lineCount, "entry on line \(entry.line) after \(previous) of \(lineCount)")
        previous = entry.line
        // Bytes, not Characters: "/" and a combining mark after it are one Character.
        invariant(entry.export.path.utf8.first == UInt8(ascii: "/") && !entry.export.clients.isEmpty, "export \(entry.export)")
        let reread = ExportsFile(parsing: entry.export.line, fileName: "line")
        invariant(reread.exports == [entry.export], "'\(entry.export.line)' reads back as \(reread.exports) \(reread.diagnostics)")
        for client in entry.export.clients {
            _ = client.admits(IPv4Address(10, 42, 0, 5), names: ["node05", "node05.cluster"])
            _ = (client.isReadWrite, client.keepsRoot, client.isSingleAddress)
        }
    }

    let pxe = "/" + String(decoding: bytes.prefix(64), as: UTF8.self)
    let hub = IPv4Address(10, 42, 0, 250)
    let nodes = "5 b8:27:eb:00:00:05 root=10.42.0.250:\(NodeRootLayout(pxe: pxe).rootsDirectory)/node05\n6 b8:27:eb:00:00:06\n"
    guard let map = try? NodeMap(parsing: nodes, fileName: "nodes", subnet: IPv4Subnet(containing: hub, prefixLength: 24)) else {
        return 0
    }
    let plan = NFSExportPlan(nodeMap: map, layout: NodeRootLayout(pxe: pxe), hub: hub)
    let written = ExportsFile(parsing: plan.fileText, fileName: "plan")
    invariant(written.isGeneratedByBramble && written.diagnostics.isEmpty && written.exports == plan.exports,
              "plan for pxe \(hexText(Array(pxe.utf8))) reads back as \(written.exports) \(written.diagnostics)")
    return 0
}
