import BrambleTFTP
import BrambleWire
import Testing

/// The key of the server's table of transfers, hashed with its own mix instead of SipHash.
@Suite struct TFTPTransferIDTests {
    /// Every port of one client (the worst case: one address, ports next to each other) and
    /// neighbouring addresses land in a dictionary and are found again, and removing half
    /// leaves exactly the other half.
    @Test func aDictionaryOfManyTransferIDsFindsEachOne() {
        var table: [TFTPTransferID: Int] = [:]
        let ids = (0..<20_000).map { TFTPTransferID(address: IPv4Address(0x0A2A_0000 | UInt32($0 % 4)), port: UInt16(1_024 + $0 / 4)) }
        for (index, id) in ids.enumerated() { table[id] = index }
        #expect(table.count == ids.count)
        for (index, id) in ids.enumerated() { #expect(table[id] == index) }
        for id in ids where id.port % 2 == 0 { table[id] = nil }
        #expect(table.count == ids.filter { $0.port % 2 == 1 }.count)
        #expect(table[TFTPTransferID(address: IPv4Address(0x0A2A_0000), port: 1_024)] == nil)
        #expect(table[TFTPTransferID(address: IPv4Address(0x0A2A_0000), port: 1_025)] == 4)
    }

    /// The mix depends on the table's seed and spreads neighbouring keys: the keys of one
    /// client's consecutive ports do not pile into a few buckets of a small table.
    @Test func neighbouringPortsSpreadOverTheBuckets() {
        let ids = (0..<256).map { TFTPTransferID(address: IPv4Address(10, 42, 0, 7), port: UInt16(40_000 + $0)) }
        for seed in [0, 1, -7, 0x5EED] {
            let buckets = Set(ids.map { $0._rawHashValue(seed: seed) & 255 })
            #expect(buckets.count > 128, "seed \(seed): \(buckets.count) of 256 buckets")
        }
        let id = ids[0]
        #expect(id._rawHashValue(seed: 1) != id._rawHashValue(seed: 2))
        #expect(id._rawHashValue(seed: 3) == TFTPTransferID(address: IPv4Address(10, 42, 0, 7), port: 40_000)._rawHashValue(seed: 3))
    }
}
