import BrambleWire

/// One change to the dynamic pool, as one line of the append-only lease journal.
///
/// The server appends and fsyncs the entry before it sends the ACK, so a `kill -9` at any
/// moment loses no granted lease; replaying the journal rebuilds the pool. Lines are text
/// so an operator can read (and grep) who had which address.
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
