@_spi(Testing) import BrambleProcfs
import BrambleWire

/// `procfs`: the parsers of the kernel's /proc text that `bramble serve` reads before it
/// binds, to name the process holding a port (/proc/net/{udp,tcp}{,6}, the fd links,
/// comm and cgroup files).
///
/// Invariants: parsing is total (entries or a typed error naming a line of the text); every
/// entry's address has the family's length and its line is a line of the text; every entry
/// written back in the table's format reads back the same; the per-process parsers return
/// a value or nil, and a socket inode read from a link is the number the link names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProcfs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let family: SocketTable.Family = (bytes.first ?? 0) & 1 == 0 ? .ipv4 : .ipv6
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
    do {
        let entries = try SocketTable.parse(text, family: family)
        for entry in entries {
            invariant(entry.line >= 1 && entry.line <= lineCount, "entry on line \(entry.line) of \(lineCount)")
            switch (entry.localAddress, family) {
            case (.ipv4, .ipv4): break
            case (.ipv6(let address), .ipv6): invariant(address.count == 16, "an IPv6 address of \(address.count) bytes")
            default: invariant(false, "an entry of the other family: \(entry)")
            }
            let written = SocketTable.line(for: entry, slot: 0)
            let reread = try? SocketTable.parse(written, family: family)
            var expected = entry
            expected.line = 1
            invariant(reread == [expected], "\(entry) written as '\(written)' reads back as \(String(describing: reread))")
            _ = entry.blocks(port: entry.localPort, transport: .udp, on: IPv4Address(0))
        }
    } catch {
        invariant(error.line >= 1 && error.line <= lineCount, "error on line \(error.line) of \(lineCount): \(error)")
    }
    if let inode = ProcessFacts.socketInode(linkTarget: text) {
        invariant(text == "socket:[\(inode)]" || text.hasPrefix("socket:[0"), "'\(text)' read as socket \(inode)")
    }
    _ = ProcessFacts.processID(directoryName: text)
    _ = ProcessFacts.commandName(commFile: text)
    if let service = ProcessFacts.systemdService(cgroupFile: text) {
        invariant(service.hasSuffix(".service") && !service.contains("/"), "'\(service)' is not a service name")
    }
    return 0
}
