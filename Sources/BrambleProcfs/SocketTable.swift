import BrambleWire

/// The kernel's socket tables, /proc/net/{udp,tcp,udp6,tcp6}, read into entries.
///
/// The format (net/ipv4/tcp_ipv4.c, udp.c and their IPv6 twins; proc(5)): a header line,
/// then one line per socket, whitespace-separated:
/// `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`,
/// where an address is `HEX:PORT`, the address printed as 32-bit words (`%08X`, one for
/// IPv4, four for IPv6) of the bytes in memory order, so a little-endian hub prints
/// 127.0.0.1 as `0100007F`. Only the fields up to the inode are read; the rest differ
/// between the tables and kernel versions.
///
/// Total: any text gives entries or a ``SocketTableError`` naming the line and the field.
public enum SocketTable {
    public enum Family: Sendable {
        case ipv4, ipv6

        var addressWords: Int { self == .ipv4 ? 1 : 4 }
    }

    public static func parse(_ text: String, family: Family) throws(SocketTableError) -> [SocketTableEntry] {
        var entries: [SocketTableEntry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty || (index == 0 && fields.first == "sl") { continue }
            entries.append(try entry(fields, line: index + 1, family: family))
        }
        return entries
    }

    private static func entry(_ fields: [Substring], line: Int, family: Family) throws(SocketTableError) -> SocketTableEntry {
        guard fields.count >= 10 else { throw SocketTableError(line: line, problem: .tooFewFields(fields.count)) }
        let local = fields[1].split(separator: ":", omittingEmptySubsequences: false)
        guard local.count == 2, let address = address(local[0], family: family) else {
            throw SocketTableError(line: line, problem: .badLocalAddress(String(fields[1])))
        }
        guard local[1].utf8.count == 4, let port = UInt16(local[1], radix: 16) else {
            throw SocketTableError(line: line, problem: .badLocalAddress(String(fields[1])))
        }
        guard fields[3].utf8.count == 2, let state = UInt8(fields[3], radix: 16) else {
            throw SocketTableError(line: line, problem: .badState(String(fields[3])))
        }
        guard fields[9].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let inode = UInt64(fields[9]) else {
            throw SocketTableError(line: line, problem: .badInode(String(fields[9])))
        }
        return SocketTableEntry(line: line, localAddress: address, localPort: port, state: state, inode: inode)
    }

    /// `%08X` words of the address's bytes in memory order: each word's value, stored in this
    /// machine's byte order, gives back the bytes the kernel holds (network order).
    private static func address(_ text: Substring, family: Family) -> SocketTableEntry.LocalAddress? {
        let digits = Array(text.utf8)
        guard digits.count == 8 * family.addressWords else { return nil }
        var bytes: [UInt8] = []
        for word in 0..<family.addressWords {
            guard let value = UInt32(String(decoding: digits[(word * 8)..<(word * 8 + 8)], as: UTF8.self), radix: 16) else { return nil }
            withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
        }
        if family == .ipv6 { return .ipv6(bytes) }
        return IPv4Address(bytes: bytes).map { .ipv4($0) }
    }

    /// An entry in the table's own format (the fields this parser reads, zeros elsewhere),
    /// for the tests' and the fuzz target's round trip only: SPI, so no client of the
    /// module sees it (`@_spi(Testing) import BrambleProcfs`).
    @_spi(Testing) public static func line(for entry: SocketTableEntry, slot: Int) -> String {
        let bytes: [UInt8]
        switch entry.localAddress {
        case .ipv4(let address): bytes = address.bytes
        case .ipv6(let address): bytes = address
        }
        var address = ""
        for start in stride(from: 0, to: bytes.count, by: 4) {
            var value: UInt32 = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[start..<min(start + 4, bytes.count)]) }
            address += hex(UInt64(value), digits: 8)
        }
        let remote = String(repeating: "0", count: address.utf8.count)
        return "\(slot): \(address):\(hex(UInt64(entry.localPort), digits: 4)) \(remote):0000 \(hex(UInt64(entry.state), digits: 2)) "
            + "00000000:00000000 00:00000000 00000000     0        0 \(entry.inode) 2 0000000000000000 0"
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.utf8.count)) + text
    }
}

/// A line of a socket table that is not in the kernel's format.
public struct SocketTableError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case tooFewFields(Int)
        case badLocalAddress(String)
        case badState(String)
        case badInode(String)
    }

    public var line: Int
    public var problem: Problem

    public init(line: Int, problem: Problem) {
        self.line = line
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .tooFewFields(let count): "line \(line): \(count) fields, the table's lines have at least 10"
        case .badLocalAddress(let text): "line \(line): '\(text)' is not a local address (HEX:PORT)"
        case .badState(let text): "line \(line): '\(text)' is not a socket state (2 hex digits)"
        case .badInode(let text): "line \(line): '\(text)' is not an inode number"
        }
    }
}
