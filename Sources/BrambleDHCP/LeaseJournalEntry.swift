import BrambleWire

/// One change to the dynamic pool, as one line of the append-only lease journal.
///
/// The server appends and fsyncs the entry before it sends the ACK, so a `kill -9` at any
/// moment loses no granted lease; replaying the journal rebuilds the pool. Lines are text
/// so an operator can read (and grep) who had which address.
///
/// On disk each line ends in ` #` and the CRC-32 of what precedes it (``checkedLine``): a
/// write cut short by a full disk or an I/O error leaves a line that fails its check and
/// is skipped, never read as a lease with a truncated expiry or merged with the next line.
public enum LeaseJournalEntry: Hashable, Sendable {
    case grant(Lease)
    case release(mac: MACAddress, address: IPv4Address)
    /// A client reported the address in use (DHCPDECLINE): unusable until `until`.
    case decline(address: IPv4Address, until: Int64)

    public var line: String {
        switch self {
        case .grant(let lease):
            "grant \(lease.mac) \(lease.address) \(lease.expires)" + (lease.hostname.map { " \($0)" } ?? "")
        case .release(let mac, let address):
            "release \(mac) \(address)"
        case .decline(let address, let until):
            "decline \(address) \(until)"
        }
    }

    /// The line with its checksum, as the journal stores it.
    public var checkedLine: String {
        let text = line
        return text + " #" + Self.hex(Self.crc32(text.utf8))
    }

    /// What one stored line holds.
    public enum StoredLine: Hashable, Sendable {
        /// A line whose checksum matches.
        case checked(LeaseJournalEntry)
        /// A line without a checksum, as bramble wrote before checksums: trusted only in a
        /// journal that has no checked line at all.
        case unchecked(LeaseJournalEntry)
        /// A line that fails its checksum or does not parse: a torn or damaged write.
        case damaged
    }

    /// Reads one stored line (without its newline).
    public static func stored(_ line: Substring) -> StoredLine {
        let suffixLength = 10  // " #" and eight hex digits
        if line.utf8.count > suffixLength {
            let split = line.utf8.index(line.utf8.endIndex, offsetBy: -suffixLength)
            let suffix = line.utf8[split...]
            if suffix.starts(with: " #".utf8) {
                guard let sum = UInt32(Substring(suffix.dropFirst(2)), radix: 16), suffix.dropFirst(2).allSatisfy(\.isHexDigit),
                      sum == crc32(line.utf8[..<split]), let entry = LeaseJournalEntry(line: Substring(line.utf8[..<split]))
                else { return .damaged }
                return .checked(entry)
            }
        }
        return LeaseJournalEntry(line: line).map(StoredLine.unchecked) ?? .damaged
    }

    /// CRC-32 (IEEE 802.3, as zlib and gzip use), bit by bit: lines are short and written
    /// at most a few times a second.
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Parses one journal line; a torn last line (a crash mid-write) parses as nil and is
    /// skipped, never taken for a lease.
    public init?(line: Substring) {
        let fields = line.split(separator: " ")
        guard let kind = fields.first else { return nil }
        switch (kind, fields.count) {
        case ("grant", 4), ("grant", 5):
            guard let mac = MACAddress(String(fields[1])), let address = IPv4Address(fields[2]), let expires = Int64(fields[3]) else { return nil }
            let hostname = fields.count == 5 ? String(fields[4]) : nil
            self = .grant(Lease(mac: mac, address: address, expires: expires, hostname: hostname))
        case ("release", 3):
            guard let mac = MACAddress(String(fields[1])), let address = IPv4Address(fields[2]) else { return nil }
            self = .release(mac: mac, address: address)
        case ("decline", 3):
            guard let address = IPv4Address(fields[1]), let until = Int64(fields[2]) else { return nil }
            self = .decline(address: address, until: until)
        default:
            return nil
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
    }
}
