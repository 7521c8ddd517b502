import BrambleWire

/// The dynamic pool for machines not in the node map (off by default on a managed cluster).
///
/// Pure: no clock, no file. `now` is passed in (wall-clock seconds) and every change that
/// must survive a crash is returned as a ``LeaseJournalEntry`` for the server to persist
/// before it answers.
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
