import BrambleDHCP
import BrambleWire
import PropertyBased
import Testing

@Suite struct LeasePoolTests {
    let a = MACAddress(0x02, 0, 0, 0, 0, 0x0a)
    let b = MACAddress(0x02, 0, 0, 0, 0, 0x0b)
    let c = MACAddress(0x02, 0, 0, 0, 0, 0x0c)
    func ip(_ last: UInt8) -> IPv4Address { IPv4Address(10, 42, 0, last) }

    func pool(_ first: UInt8 = 100, _ last: UInt8 = 102, reserved: Set<IPv4Address> = []) -> LeasePool {
        LeasePool(first: ip(first), last: ip(last), reserved: reserved)
    }

    @Test func clientsDiscoveringTogetherGetDifferentAddresses() {
        var pool = pool()
        let offers = [a, b, c].map { pool.offer(to: $0, requested: nil, now: 1000) }
        #expect(Set(offers.compactMap { $0 }).count == 3)
        #expect(pool.offer(to: MACAddress(0x02, 0, 0, 0, 0, 0x0d), requested: nil, now: 1000) == nil, "three addresses, three holds")
        #expect(pool.offer(to: a, requested: nil, now: 1001) == offers[0], "a repeated DISCOVER gets the same offer")
    }

    @Test func anOfferHoldExpires() {
        var pool = pool(100, 100)
        #expect(pool.offer(to: a, requested: nil, now: 1000) == ip(100))
        #expect(pool.offer(to: b, requested: nil, now: 1030) == nil)
        #expect(pool.offer(to: b, requested: nil, now: 1061) == ip(100))
    }

    @Test func reservedAddressesAreNeverOffered() {
        var pool = pool(reserved: [ip(100), ip(101)])
        #expect(pool.offer(to: a, requested: ip(100), now: 0) == ip(102))
        #expect(pool.offer(to: b, requested: nil, now: 0) == nil)
    }

    @Test func grantsRenewAndExpire() throws {
        var pool = pool()
        let maybeOffered = pool.offer(to: a, requested: nil, now: 0)
        let offered = try #require(maybeOffered)
        #expect(pool.grant(offered, to: b, now: 1, leaseSeconds: 100, hostname: nil) == nil, "held for a, so b is refused")
        let entry = pool.grant(offered, to: a, now: 1, leaseSeconds: 100, hostname: "laptop")
        #expect(entry == .grant(Lease(mac: a, address: offered, expires: 101, hostname: "laptop")))
        #expect(pool.grant(offered, to: a, now: 50, leaseSeconds: 100, hostname: "laptop") != nil, "renewal")
        #expect(pool.lease(for: a)?.expires == 150)
        #expect(pool.offer(to: b, requested: offered, now: 149) != offered)
        #expect(pool.offer(to: c, requested: offered, now: 151) == offered, "expired leases free their address")
    }

    @Test func declineKeepsTheAddressOutForAWhile() {
        var pool = pool(100, 101)
        let offered = pool.offer(to: a, requested: nil, now: 0)!
        #expect(pool.decline(offered, from: b, now: 1) == nil, "only the client it was offered to can decline it")
        #expect(pool.decline(offered, from: a, now: 1) == .decline(address: offered, until: 601))
        #expect(pool.offer(to: a, requested: offered, now: 2) != offered)
        #expect(pool.offer(to: c, requested: offered, now: 602) == offered)
    }

    @Test func releaseOnlyByTheHolder() {
        var pool = pool()
        _ = pool.grant(ip(100), to: a, now: 0, leaseSeconds: 100, hostname: nil)
        #expect(pool.release(ip(100), from: b) == nil)
        #expect(pool.release(ip(100), from: a) == .release(mac: a, address: ip(100)))
        #expect(pool.lease(for: a) == nil)
    }

    @Test func journalLinesRoundTripAndTornLinesAreSkipped() {
        let entries: [LeaseJournalEntry] = [
            .grant(Lease(mac: a, address: ip(100), expires: 1_800_000_000, hostname: "laptop")),
            .grant(Lease(mac: b, address: ip(101), expires: 1_800_000_000, hostname: nil)),
            .release(mac: a, address: ip(100)),
            .decline(address: ip(102), until: 1_800_000_600),
        ]
        for entry in entries { #expect(LeaseJournalEntry(line: entry.line[...]) == entry) }
        #expect(LeaseJournalEntry(line: "grant 02:00:00:00:00:0a 10.42.0.1"[...]) == nil)
        #expect(LeaseJournalEntry(line: "grant 02:00:00:00:00:0a 10.42.0.100 18000"[...]) != nil)
        #expect(LeaseJournalEntry(line: ""[...]) == nil)
    }

    /// Replaying what the pool returned rebuilds the same pool: the crash-safety argument.
    @Test func replayingTheJournalRebuildsThePool() async {
        let operations = Gen.int(in: 0...3).array(of: 1...60)
        await propertyCheck(count: 2000, input: operations) { steps in
            var live = pool(100, 104)
            var journal: [LeaseJournalEntry] = []
            let macs = [a, b, c]
            for (index, step) in steps.enumerated() {
                let mac = macs[index % 3]
                let now = Int64(index * 10)
                switch step {
                case 0: _ = live.offer(to: mac, requested: nil, now: now)
                case 1:
                    if let address = live.offer(to: mac, requested: nil, now: now),
                       let entry = live.grant(address, to: mac, now: now, leaseSeconds: 200, hostname: nil) { journal.append(entry) }
                case 2: if let lease = live.lease(for: mac), let entry = live.release(lease.address, from: mac) { journal.append(entry) }
                default: if let lease = live.lease(for: mac), let entry = live.decline(lease.address, from: mac, now: now) { journal.append(entry) }
                }
            }
            var rebuilt = pool(100, 104)
            for line in journal.map(\.line) { rebuilt.apply(LeaseJournalEntry(line: line[...])!) }
            let end = Int64((steps.count - 1) * 10)
            #expect(rebuilt.activeLeases(now: end) == live.activeLeases(now: end))
        }
    }
}
