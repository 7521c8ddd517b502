import BrambleDNS
import BrambleWire

/// The dynamic pool for machines not in the node map (off by default on a managed cluster).
///
/// Pure: no clock, no file. `now` is passed in and every change that must survive a crash
/// is returned as a ``LeaseJournalEntry`` for the server to persist before it answers.
///
/// Its `now` is wall-clock seconds since the epoch, not the ``MonotonicInstant`` the other
/// cores take: lease and decline expiries are written to the journal and read back after a
/// restart (or a reboot of the hub), and only the wall clock means the same thing across
/// processes. The short offer hold shares that clock so that one `now` orders every time
/// the pool compares.
///
/// An OFFER holds its address for that client for ``offerHoldSeconds``, so clients that
/// DISCOVER together get different addresses (dnsmasq offers them the same one and NAKs the
/// losers: docs/design.md).
public struct LeasePool: Sendable {
    public let first: IPv4Address
    public let last: IPv4Address
    public var offerHoldSeconds: Int64 = 60
    /// How long a declined address stays out of use (RFC 2131 leaves it to the server).
    public var declineHoldSeconds: Int64 = 600

    private var reserved: Set<IPv4Address>
    private var leases: [MACAddress: Lease] = [:]
    private var holderOfAddress: [IPv4Address: MACAddress] = [:]
    private var offers: [MACAddress: (address: IPv4Address, until: Int64)] = [:]
    private var offeredAddresses: [IPv4Address: MACAddress] = [:]
    private var declinedUntil: [IPv4Address: Int64] = [:]
    /// Where the next search for a free address starts, so addresses are handed out round
    /// robin and a just-released one is not reused at once.
    private var cursor: UInt32

    /// - Parameter reserved: addresses never handed out: the node map's and the hub's.
    public init(first: IPv4Address, last: IPv4Address, reserved: Set<IPv4Address>) {
        precondition(first <= last, "pool range is reversed")
        self.first = first
        self.last = last
        self.reserved = reserved
        cursor = first.value
    }

    public var size: Int { Int(last.value - first.value) + 1 }
    /// Leases not yet expired at `now`. Expired ones are dropped lazily and without a
    /// journal entry, so a pool rebuilt from its journal may still hold them: `now` decides.
    public func activeLeases(now: Int64) -> [Lease] {
        leases.values.filter { $0.expires > now }.sorted { $0.address < $1.address }
    }

    public func lease(for mac: MACAddress) -> Lease? { leases[mac] }

    /// Addresses a client declined that are still held out of use at `now`.
    public func declinedAddressCount(now: Int64) -> Int { declinedUntil.values.count { $0 > now } }
    public func contains(_ address: IPv4Address) -> Bool { address >= first && address <= last }

    /// A node-map reload changes which addresses belong to nodes.
    public mutating func updateReserved(_ addresses: Set<IPv4Address>) { reserved = addresses }

    /// The address to offer `mac`: its current lease, else the address it asks for when
    /// free, else the next free one. The address is held for this client until the hold
    /// expires. Nil when the pool is exhausted.
    public mutating func offer(to mac: MACAddress, requested: IPv4Address?, now: Int64) -> IPv4Address? {
        dropExpired(now: now)
        if let lease = leases[mac], isUsable(lease.address, for: mac, now: now) {
            return hold(lease.address, for: mac, now: now)
        }
        if let held = offers[mac], isUsable(held.address, for: mac, now: now) {
            return hold(held.address, for: mac, now: now)
        }
        if let requested, isUsable(requested, for: mac, now: now) {
            return hold(requested, for: mac, now: now)
        }
        let count = UInt32(size)
        for step in 0..<count {
            let candidate = IPv4Address(first.value + (cursor - first.value + step) % count)
            if isUsable(candidate, for: mac, now: now) {
                cursor = first.value + (candidate.value - first.value + 1) % count
                return hold(candidate, for: mac, now: now)
            }
        }
        return nil
    }

    /// Grants (or renews) `address` to `mac` for a REQUEST. Returns the journal entry to
    /// persist before the ACK goes out, or nil when the address is not this client's to
    /// have (the server answers NAK).
    public mutating func grant(_ address: IPv4Address, to mac: MACAddress, now: Int64, leaseSeconds: Int64, hostname: String?) -> LeaseJournalEntry? {
        dropExpired(now: now)
        guard isUsable(address, for: mac, now: now) else { return nil }
        let entry = LeaseJournalEntry.grant(Lease(mac: mac, address: address, expires: now + leaseSeconds, hostname: hostname))
        apply(entry)
        return entry
    }

    /// DHCPRELEASE: only the holder can release its own lease.
    public mutating func release(_ address: IPv4Address, from mac: MACAddress) -> LeaseJournalEntry? {
        guard leases[mac]?.address == address else { return nil }
        let entry = LeaseJournalEntry.release(mac: mac, address: address)
        apply(entry)
        return entry
    }

    /// DHCPDECLINE: the client found the address in use; keep it out of the pool a while.
    public mutating func decline(_ address: IPv4Address, from mac: MACAddress, now: Int64) -> LeaseJournalEntry? {
        guard contains(address), leases[mac]?.address == address || offers[mac]?.address == address else { return nil }
        let entry = LeaseJournalEntry.decline(address: address, until: now + declineHoldSeconds)
        apply(entry)
        return entry
    }

    /// The client took another server's offer: free the address held for it.
    public mutating func withdrawOffer(to mac: MACAddress) { clearOffer(of: mac) }

    /// Applies a journal entry: used both for live changes and to rebuild the pool at start.
    public mutating func apply(_ entry: LeaseJournalEntry) {
        switch entry {
        case .grant(let lease):
            if let previous = leases[lease.mac] { holderOfAddress[previous.address] = nil }
            if let other = holderOfAddress[lease.address], other != lease.mac { leases[other] = nil }
            leases[lease.mac] = lease
            holderOfAddress[lease.address] = lease.mac
            clearOffer(of: lease.mac)
        case .release(let mac, let address):
            if leases[mac]?.address == address {
                leases[mac] = nil
                holderOfAddress[address] = nil
            }
        case .decline(let address, let until):
            declinedUntil[address] = until
            if let holder = holderOfAddress[address] {
                leases[holder] = nil
                holderOfAddress[address] = nil
            }
            if let offeredTo = offeredAddresses[address] { clearOffer(of: offeredTo) }
        }
    }

    /// The entries that rebuild the current state, for compacting the journal.
    public func snapshot(now: Int64) -> [LeaseJournalEntry] {
        activeLeases(now: now).map(LeaseJournalEntry.grant)
            + declinedUntil.filter { $0.value > now }.sorted { $0.key < $1.key }.map { LeaseJournalEntry.decline(address: $0.key, until: $0.value) }
    }

    private func isUsable(_ address: IPv4Address, for mac: MACAddress, now: Int64) -> Bool {
        guard contains(address), !reserved.contains(address) else { return false }
        if let until = declinedUntil[address], until > now { return false }
        if let holder = holderOfAddress[address], holder != mac { return false }
        if let offeredTo = offeredAddresses[address], offeredTo != mac, let offer = offers[offeredTo], offer.until > now { return false }
        return true
    }

    private mutating func hold(_ address: IPv4Address, for mac: MACAddress, now: Int64) -> IPv4Address {
        clearOffer(of: mac)
        if let previous = offeredAddresses[address], previous != mac { clearOffer(of: previous) }
        offers[mac] = (address, now + offerHoldSeconds)
        offeredAddresses[address] = mac
        return address
    }

    private mutating func clearOffer(of mac: MACAddress) {
        if let offer = offers.removeValue(forKey: mac), offeredAddresses[offer.address] == mac {
            offeredAddresses[offer.address] = nil
        }
    }

    private mutating func dropExpired(now: Int64) {
        for (mac, lease) in leases where lease.expires <= now {
            leases[mac] = nil
            if holderOfAddress[lease.address] == mac { holderOfAddress[lease.address] = nil }
        }
        for (address, until) in declinedUntil where until <= now { declinedUntil[address] = nil }
    }
}

/// A granted dynamic lease. Times are wall-clock seconds since the epoch because leases
/// outlive the process: a lease granted before a restart must still expire on time after.
public struct Lease: Hashable, Sendable {
    public let mac: MACAddress
    public let address: IPv4Address
    public let expires: Int64
    /// The client's option 12, sanitised, for DNS names of dynamic machines.
    public let hostname: String?

    public init(mac: MACAddress, address: IPv4Address, expires: Int64, hostname: String?) {
        self.mac = mac
        self.address = address
        self.expires = expires
        self.hostname = hostname
    }
}

extension Lease {
    /// The names leases give in the cluster's DNS zone: each lease whose client sent a host
    /// name (option 12) is that name at its address. The one mapping from leases to names,
    /// used by the daemon when the journal changes and by replay after each lease change,
    /// so a capture replays with the names the daemon would serve.
    public static func dnsHosts(_ leases: some Sequence<Lease>) -> [DynamicHost] {
        leases.compactMap { lease in lease.hostname.map { DynamicHost(hostname: Array($0.utf8), address: lease.address) } }
    }
}

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
