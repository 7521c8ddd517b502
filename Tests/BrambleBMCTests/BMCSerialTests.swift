import BrambleBMC
import BrambleBMCSerial
import Foundation
import Synchronization
import Testing

/// The serial transport and session against scripts/lib/fake-bmc.py on a pseudo-terminal.
@Suite(.serialized) struct BMCSerialTests {
    final class Unparsed: Sendable {
        let lines = Mutex<[BMCUnparsedLine]>([])
        func append(_ line: BMCUnparsedLine) { lines.withLock { $0.append(line) } }
        var all: [BMCUnparsedLine] { lines.withLock { $0 } }
    }

    static func milliseconds(_ body: () throws -> Void) rethrows -> Int {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    @Test func statusOnAndOffOfOneNode() throws {
        let bmc = try FakeBMC(["--nodes", "0-8"])
        let unparsed = Unparsed()
        let session = try BMCSession(device: bmc.link, replyMilliseconds: 1000, unparsed: unparsed.append)
        #expect(try session.status(of: BMCID(0)) == BMCStatus(id: BMCID(0), role: .master, power: .on, currentRaw: 0x18, fanRaw: 0x60))
        #expect(try session.status(of: BMCID(5)) == BMCStatus(id: BMCID(5), role: .slave, power: .off, currentRaw: 0, fanRaw: 0))
        #expect(try session.setPower(.on, of: BMCID(5)) == BMCStatus(id: BMCID(5), role: .slave, power: .on, currentRaw: 0x1d, fanRaw: 0x65))
        #expect(try session.status(of: BMCID(5)).power == .on)
        #expect(try session.setPower(.off, of: BMCID(5)).power == .off)
        session.finish()
        waitFor { bmc.commands.last == "master" }
        #expect(bmc.commands == ["unlock", "select 00", "status 00", "select 05", "status 05", "on 05", "status 05", "status 05", "off 05", "status 05", "master"])
        #expect(unparsed.all.isEmpty)
    }

    @Test func aSilentLineTimesOutQuicklyAndSaysWhatToCheck() throws {
        let bmc = try FakeBMC(["--silent"])
        var failure: BMCLinkError?
        let elapsed = try Self.milliseconds {
            let session = try BMCSession(device: bmc.link, replyMilliseconds: 300, unparsed: { _ in })
            do {
                _ = try session.status(of: BMCID(1))
            } catch {
                failure = error as? BMCLinkError
            }
        }
        #expect(failure == .silent(device: bmc.link, command: "[01]| =", waitedMilliseconds: 300, unparsed: []))
        #expect(elapsed < 1500, "waited \(elapsed) ms")
        #expect(failure?.message.contains("no status line from the BMC on \(bmc.link) within 0.3 s") == true)
        #expect(failure?.message.contains("serial console") == true)
    }

    @Test func aNodeTheRackLacksIsSilentToo() throws {
        let bmc = try FakeBMC(["--nodes", "0-3"])
        let session = try BMCSession(device: bmc.link, replyMilliseconds: 300, unparsed: { _ in })
        #expect(throws: BMCLinkError.silent(device: bmc.link, command: "[20]| =", waitedMilliseconds: 300, unparsed: [])) {
            try session.status(of: BMCID(0x20))
        }
        #expect(try session.status(of: BMCID(3)).id == BMCID(3), "the session goes on after a silent node")
    }

    @Test func garbageIsReportedAndSkipped() throws {
        let bmc = try FakeBMC(["--garbage", "--on", "2"])
        let unparsed = Unparsed()
        let session = try BMCSession(device: bmc.link, replyMilliseconds: 1000, unparsed: unparsed.append)
        #expect(try session.status(of: BMCID(2)) == BMCStatus(id: BMCID(2), role: .slave, power: .on, currentRaw: 0x1a, fanRaw: 0x62))
        let lines = unparsed.all
        #expect(lines.count == 3, "the noise line and the 300-byte line cut at 256: \(lines)")
        #expect(lines.first?.text == "\\x00\\xff\\xfe\\x1b[2J noise \\x07")
        #expect(lines.dropFirst().map(\.length) == [256, 44])
    }

    @Test func onlyGarbageIsATimeoutThatQuotesIt() throws {
        let bmc = try FakeBMC(["--garbage-only"])
        let session = try BMCSession(device: bmc.link, replyMilliseconds: 400, unparsed: { _ in })
        do {
            _ = try session.status(of: BMCID(1))
            Issue.record("a status from garbage")
        } catch {
            guard case .silent(_, _, _, let unparsed) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(unparsed.count == 3)
            #expect(error.message.contains("3 lines that are not a status: '\\x00\\xff\\xfe\\x1b[2J noise \\x07'"))
            #expect(error.message.contains("wrong baud rate"))
        }
    }

    @Test func twoProcessesNeverShareTheLine() throws {
        let bmc = try FakeBMC()
        var first: BMCSerialLine? = try BMCSerialLine(device: bmc.link)
        var refused: BMCLinkError?
        let elapsed = Self.milliseconds {
            do { _ = try BMCSerialLine(device: bmc.link, lockMilliseconds: 200) } catch { refused = error as? BMCLinkError }
        }
        #expect(refused == .busy(device: bmc.link, waitedMilliseconds: 200))
        #expect(elapsed >= 200 && elapsed < 1500)
        #expect(refused?.message.contains("in use by another bramble process") == true)
        #expect(first != nil)
        first = nil
        #expect(throws: Never.self) { _ = try BMCSerialLine(device: bmc.link, lockMilliseconds: 200) }
    }

    @Test func aWrongDeviceIsNamedWithWhatToDo() throws {
        #expect(throws: BMCLinkError.notASerialLine(device: "/dev/null")) { try BMCSerialLine(device: "/dev/null") }
        #expect(BMCLinkError.notASerialLine(device: "/dev/null").message.contains("--device"))
        let missing = "/nonexistent/serial0"
        #expect(throws: BMCLinkError.cannotOpen(device: missing, errno: ENOENT)) { try BMCSerialLine(device: missing) }
        #expect(BMCLinkError.cannotOpen(device: missing, errno: ENOENT).message.contains("enable_uart=1"))
        #expect(BMCLinkError.cannotOpen(device: "/dev/serial0", errno: EACCES).message.contains("dialout group"))
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        for _ in 0..<20 { _ = try? BMCSerialLine(device: "/dev/null") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count == before, "a refused device's descriptor is closed once")
    }
}

/// Waits up to 2 s for the simulator to have logged what was sent.
func waitFor(_ condition: () -> Bool) {
    for _ in 0..<100 where !condition() { usleep(20_000) }
}

/// The dashboard's poller: every bay read, silent ones reported, the line free between bays.
@Suite(.serialized) struct BMCPollerTests {
    static let bays = (1...8).map { BMCPoller.Bay(id: $0, name: "node0\($0)", bmc: BMCID(UInt8($0))) }

    @Test func readsEveryBayInOrder() throws {
        let bmc = try FakeBMC(["--nodes", "0-7", "--on", "1-6"])
        let readings = BMCPoller(device: bmc.link, replyMilliseconds: 300).read(Self.bays)
        #expect(readings.map(\.id) == Array(1...8))
        for reading in readings.prefix(6) {
            #expect(reading.status == BMCStatus(id: reading.bmc, role: .slave, power: .on, currentRaw: UInt16(0x18 + reading.id % 8), fanRaw: UInt16(0x60 + reading.id)))
        }
        #expect(readings[6].status?.power == .off)
        #expect(readings[7].status == nil, "the rack has no node 08")
        #expect(readings[7].error?.contains("no status line from the BMC") == true)
        waitFor { bmc.commands.filter { $0 == "master" }.count == 8 }
        #expect(bmc.commands.filter { $0 == "master" }.count == 8, "one session per bay, each ended on the master")
    }

    @Test func aBusyLineIsReportedPerBayNotWaitedOnForever() throws {
        let bmc = try FakeBMC()
        let holder = try BMCSerialLine(device: bmc.link)
        let readings = BMCPoller(device: bmc.link, replyMilliseconds: 300, lockMilliseconds: 50).read(Array(Self.bays.prefix(2)))
        #expect(readings.allSatisfy { $0.error?.contains("in use by another bramble process") == true })
        withExtendedLifetime(holder) {}
    }
}
