import BrambleBoot
import BrambleControl
import BrambleNodeMap
@testable import BrambleServer
import BrambleTestSupport
import BrambleWire
import Glibc
import Logging
import Testing

@Suite struct BootRecorderTests {
    static let map = try! NodeMap(
        parsing: "5 b8:27:eb:00:00:05\n7 dc:a6:32:00:00:07 rack7\n9 b8:27:eb:xx:xx:xx\n", fileName: "nodes", subnet: IPv4Interface("10.42.0.250/24")!.subnet)

    static func contents(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func romDiscover() -> BootEvent.Kind {
        .dhcp(BootEvent.DHCPExchange(message: .discover, answer: .offer, firmware: true, transactionID: 1, client: "Pi 3B ROM", address: "10.42.0.5"))
    }

    @Test func eventsBecomeTimelinesLogLinesHistoryAndFollowedRecords() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-server")
        let recorder = BootRecorder(nodeMap: Self.map, logs: NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil)), logger: Logger(label: "test"))
        var followed: [BootLogRecord] = []
        recorder.onRecord = { followed.append($0) }
        recorder.record(romDiscover(), nodeID: 5, time: 1_000_000)
        recorder.record(BootEvent.Kind.transferStarted(file: "bootcode.bin"), nodeID: 5, time: 1_000_250)
        recorder.record(BootEvent.Kind.fileNotFound(file: "kernel7.img", routine: false, tried: ["nodes/node05/kernel7.img", "kernel7.img"]), nodeID: 5, time: 1_002_000)
        recorder.record(BootEvent.Kind.firstDNSQuery, nodeID: 42, time: 1_003_000)

        let log = try #require(Self.contents("\(directory)/node05.log"))
        #expect(log == """
            1970-01-01T00:16:40.000Z +0.000s node05 addressed   DHCPDISCOVER (Pi 3B ROM) -> OFFER 10.42.0.5
            1970-01-01T00:16:40.250Z +0.250s node05 firmware    TFTP bootcode.bin started
            1970-01-01T00:16:42.000Z +2.000s node05 firmware    FAILED TFTP kernel7.img not found (tried nodes/node05/kernel7.img, kernel7.img)

            """)
        #expect(Self.contents("\(directory)/node42.log") == nil, "no node 42 in the map")
        #expect(followed.map(\.stage) == ["addressed", "firmware", "firmware"])
        #expect(followed.map(\.failure) == [false, false, true])
        #expect(recorder.history(of: Self.map.node(id: 5)!).records == followed)

        let status = recorder.status(now: 1_010_000)
        #expect(status.nodes.map(\.id) == [5, 7, 9])
        #expect(status.nodes[0].stage == .firmware && status.nodes[0].stageSince == 1_000_250 && status.nodes[0].bootStarted == 1_000_000)
        #expect(status.nodes[0].lastError == "file not found: kernel7.img (tried nodes/node05/kernel7.img, kernel7.img)")
        #expect(status.nodes[1].name == "rack7" && status.nodes[1].ip == "10.42.0.7" && status.nodes[1].mac == "dc:a6:32:00:00:07")
        #expect(status.nodes[2].mac == nil && status.nodes[2].stage == .waiting)
        #expect(status.summary["firmware"] == 1 && status.summary["waiting"] == 2)
    }

    /// With nobody following, no record is handed on; the log file and the history are
    /// written all the same, and a follower arriving gets the next events.
    @Test func recordsAreHandedOnOnlyWhileFollowed() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-server")
        let recorder = BootRecorder(nodeMap: Self.map, logs: NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil)), logger: Logger(label: "test"))
        var followed: [String] = []
        var following = false
        recorder.onRecord = { followed.append($0.line) }
        recorder.isFollowed = { following }
        recorder.record(romDiscover(), nodeID: 5, time: 1_000_000)
        recorder.record([.bootloaderLog(line: "one"), .bootloaderLog(line: "two")], nodeID: 5, time: 1_000_100)
        #expect(followed.isEmpty)
        following = true
        recorder.record(BootEvent.Kind.transferStarted(file: "bootcode.bin"), nodeID: 5, time: 1_000_250)
        recorder.record([.bootloaderLog(line: "three"), .bootloaderLog(line: "four")], nodeID: 5, time: 1_000_300)
        let log = try #require(Self.contents("\(directory)/node05.log"))
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(followed == Array(lines.suffix(3)))
        #expect(recorder.history(of: Self.map.node(id: 5)!).records.map(\.line) == lines)
    }

    @Test func logsRotateAtTheLimitKeepingOneOldFile() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-server")
        let logs = NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil), limit: 100)
        let line = String(repeating: "x", count: 39)
        for _ in 0..<3 { try logs.append(line, toNode: "node05") }
        #expect(Self.contents("\(directory)/node05.log") == line + "\n")
        #expect(Self.contents("\(directory)/node05.log.1") == line + "\n" + line + "\n")
        for _ in 0..<2 { try logs.append("y", toNode: "node05") }
        #expect(Self.contents("\(directory)/node05.log") == line + "\ny\ny\n")
    }

    @Test func historyIsBounded() {
        let recorder = BootRecorder(nodeMap: Self.map, logs: nil, logger: Logger(label: "test"))
        for second in 0..<1000 { recorder.record(BootEvent.Kind.transferStarted(file: "f\(second)"), nodeID: 7, time: Int64(second) * 1000) }
        let records = recorder.history(of: Self.map.node(id: 7)!).records
        #expect(records.count <= BootRecorder.historyLimit && records.count > BootRecorder.historyLimit / 2)
        #expect(records.last?.line.hasSuffix("TFTP f999 started") == true)
    }

    /// Netconsole lines go into the node's log file, marked as the bootloader's, and into a
    /// history of their own: a verbose bootloader cannot push the boot's events out of
    /// `bramble logs`, which shows both in the order they came.
    @Test func bootloaderLinesAreLoggedAndKeptApartFromTheEvents() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-server")
        let recorder = BootRecorder(nodeMap: Self.map, logs: NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil)), logger: Logger(label: "test"))
        recorder.record(romDiscover(), nodeID: 5, time: 1_000_000)
        recorder.record(BootEvent.Kind.bootloaderLog(line: "2.52 Boot mode: NETWORK (02) order f21"), nodeID: 5, time: 1_000_100)
        recorder.record(BootEvent.Kind.transferStarted(file: "start4.elf"), nodeID: 5, time: 1_000_200)
        for index in 0..<(BootRecorder.historyLimit * 3) {
            recorder.record(BootEvent.Kind.bootloaderLog(line: "line \(index)"), nodeID: 5, time: 1_000_300 + Int64(index))
        }
        recorder.record(BootEvent.Kind.bootloaderLogDropped(lines: 7), nodeID: 5, time: 1_001_000)
        let log = try #require(Self.contents("\(directory)/node05.log"))
        #expect(log.contains("+0.100s node05 addressed   bootloader: 2.52 Boot mode: NETWORK (02) order f21\n"))
        #expect(log.contains("node05 firmware    bootloader: line 191\n"))
        #expect(log.contains("node05 firmware    bootloader log: 7 lines dropped here, sent faster than bramble records them\n"))
        let lines = recorder.history(of: Self.map.node(id: 5)!).records.map(\.line)
        #expect(lines.first?.hasSuffix("DHCPDISCOVER (Pi 3B ROM) -> OFFER 10.42.0.5") == true, "the boot's events stay: \(lines.prefix(3))")
        #expect(lines[1].hasSuffix("TFTP start4.elf started"))
        #expect((2 + BootRecorder.historyLimit * 3 / 4)...(2 + BootRecorder.historyLimit) ~= lines.count, "the bootloader's own history is bounded")
        #expect(lines.last?.hasSuffix("7 lines dropped here, sent faster than bramble records them") == true)
        #expect(recorder.timeline(ofNode: 5).stage == .firmware, "bootloader lines are no timeline steps")
    }

    /// A netconsole datagram's lines go to the log in one write, each on its own line, and
    /// into the history and to followers as single events would.
    @Test func aDatagramsLinesAreRecordedTogether() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-server")
        let recorder = BootRecorder(nodeMap: Self.map, logs: NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil)), logger: Logger(label: "test"))
        var followed: [String] = []
        recorder.onRecord = { followed.append($0.line) }
        recorder.record([.bootloaderLogDropped(lines: 3), .bootloaderLog(line: "2.52 Boot mode: NETWORK (02) order f21"), .bootloaderLog(line: "2.60 NET_BOOT")], nodeID: 5, time: 1_000_000)
        recorder.record([BootEvent.Kind](), nodeID: 5, time: 1_000_001)
        recorder.record([.bootloaderLog(line: "not a node")], nodeID: 99, time: 1_000_002)
        let log = try #require(Self.contents("\(directory)/node05.log"))
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "", "three lines, each ended: \(log)")
        #expect(lines[0].hasSuffix("bootloader log: 3 lines dropped here, sent faster than bramble records them"))
        #expect(lines[1].hasSuffix("bootloader: 2.52 Boot mode: NETWORK (02) order f21") && lines[2].hasSuffix("bootloader: 2.60 NET_BOOT"))
        #expect(followed == lines.dropLast().map(String.init))
        #expect(recorder.history(of: Self.map.node(id: 5)!).records.map(\.line) == followed)
    }
}
