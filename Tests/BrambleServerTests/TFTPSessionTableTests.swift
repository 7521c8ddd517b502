import BrambleTFTP
import BrambleWire
@testable import BrambleServer
import Testing

/// The transfer port's table of sessions against a `Dictionary` doing the same: inserts,
/// replacements, lookups of absent keys and removals in a random order, through growth and
/// long probe runs (many clients on one address, ports next to each other).
@Suite struct TFTPSessionTableTests {
    final class Session {
        let id: TFTPTransferID
        init(_ id: TFTPTransferID) { self.id = id }
    }

    /// A small fixed generator, so a failure repeats.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func behavesAsADictionary() {
        var random = SplitMix(state: 18)
        let table = TFTPSessionTable<Session>(capacity: 8)
        var model: [TFTPTransferID: Session] = [:]
        // Few addresses and ports: the same keys come and go, and neighbours collide.
        func someID() -> TFTPTransferID {
            TFTPTransferID(
                address: IPv4Address(UInt32(0x0A2A_0000) | UInt32.random(in: 1...3, using: &random)),
                port: UInt16.random(in: 40_000...40_150, using: &random))
        }
        for step in 0..<20_000 {
            let id = someID()
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let session = Session(id)
                table[id] = session
                model[id] = session
            case 4..<7:
                table[id] = nil
                model[id] = nil
            default:
                break
            }
            #expect(table.count == model.count, "step \(step)")
            let probe = someID()
            #expect(table[probe] === model[probe], "step \(step): \(probe)")
        }
        for (id, session) in model { #expect(table[id] === session) }
        for id in Array(model.keys) { table[id] = nil }
        #expect(table.count == 0)
        #expect(table[TFTPTransferID(address: IPv4Address(0x0A2A_0001), port: 40_000)] == nil)
    }

    @Test func growsPastItsFirstCapacityAndKeepsEveryEntry() {
        let table = TFTPSessionTable<Session>(capacity: 8)
        let ids = (0..<500).map { TFTPTransferID(address: IPv4Address(0x0A2A_0005), port: UInt16(1_000 + $0)) }
        let sessions = ids.map(Session.init)
        for (id, session) in zip(ids, sessions) { table[id] = session }
        #expect(table.count == 500)
        for (id, session) in zip(ids, sessions) { #expect(table[id] === session) }
        for id in ids where id.port % 2 == 0 { table[id] = nil }
        for (id, session) in zip(ids, sessions) { #expect(table[id] === (id.port % 2 == 0 ? nil : session)) }
        #expect(table.count == 250)
    }
}
