@testable import BrambleServer
import BrambleWire
import Testing

/// The per-source line budget of the netconsole sink, on a fake clock.
@Suite struct NetconsoleAdmissionTests {
    let node = IPv4Address(10, 42, 0, 5)
    let other = IPv4Address(10, 42, 0, 6)
    static let second = Duration.seconds(1)
    static let start = MonotonicInstant(nanoseconds: 0)

    @Test func aBootsWorthPassesAndAFloodIsCutToTheRate() {
        var admission = NetconsoleAdmission()
        var admitted = 0
        for _ in 0..<100 { admitted += admission.admit(lines: 4, from: node, now: Self.start).admitted }
        #expect(admitted == NetconsoleAdmission.burst, "400 lines at once pass")
        #expect(admission.admit(lines: 4, from: node, now: Self.start) == .init(admitted: 0, droppedBefore: 0))
        #expect(admission.admit(lines: 4, from: other, now: Self.start).admitted == 4, "another node has its own budget")
        // 10 ms later one line's worth has come back, and the 4 dropped so far are reported with it.
        #expect(admission.admit(lines: 4, from: node, now: Self.start + Self.second / 100) == .init(admitted: 1, droppedBefore: 4))
        #expect(admission.admit(lines: 2, from: node, now: Self.start + Self.second / 100) == .init(admitted: 0, droppedBefore: 0))
        // A second later: 100 lines' worth; the 3 + 2 dropped since are reported once.
        #expect(admission.admit(lines: 150, from: node, now: Self.start + Self.second + Self.second / 100) == .init(admitted: 100, droppedBefore: 5))
        #expect(admission.admit(lines: 1, from: node, now: Self.start + Self.second * 5) == .init(admitted: 1, droppedBefore: 50))
    }

    /// Forged source addresses cannot grow the table past its bound: idle, full buckets go
    /// first, and past the bound new sources share one bucket.
    @Test func theSourceTableIsBounded() {
        var admission = NetconsoleAdmission()
        for index in 0..<(NetconsoleAdmission.maximumSources + 500) {
            _ = admission.admit(lines: NetconsoleAdmission.burst + 1, from: IPv4Address(UInt32(0x0a00_0000) + UInt32(index)), now: Self.start)
        }
        let shared = admission.admit(lines: 1, from: IPv4Address(192, 168, 0, 1), now: Self.start)
        #expect(shared.admitted == 0, "the shared bucket is spent by the 500 sources past the bound")
        // An hour later every bucket is full again: the idle ones that dropped nothing are forgotten.
        var quiet = NetconsoleAdmission()
        for index in 0..<NetconsoleAdmission.maximumSources { _ = quiet.admit(lines: 1, from: IPv4Address(UInt32(0x0a00_0000) + UInt32(index)), now: Self.start) }
        let hourLater = Self.start + Self.second * 3600
        #expect(quiet.admit(lines: 1, from: node, now: hourLater).admitted == 1)
        // Forgotten, they leave room: as many new sources each get a bucket of their own
        // (shared, only the first would get a burst's worth).
        let ownBuckets = (1..<NetconsoleAdmission.maximumSources).filter { index in
            quiet.admit(lines: NetconsoleAdmission.burst, from: IPv4Address(UInt32(0x0b00_0000) + UInt32(index)), now: hourLater).admitted == NetconsoleAdmission.burst
        }
        #expect(ownBuckets.count == NetconsoleAdmission.maximumSources - 1)
    }
}
