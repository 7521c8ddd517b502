@testable import BrambleDemo
import Foundation
import Testing

/// The demo's pure parts: which bays it boots, its durations, reading the simulator's JSON
/// lines and the server's log.
@Suite struct DemoTests {
    @Test("48 bays are etc/nodes' layout: Pi 3B 1-16, 3B+ 17-32, 4B 33-48, with its MACs")
    func fullModule() {
        let bays = DemoBay.selection(count: 48)
        #expect(bays.map(\.id) == Array(1...48))
        #expect(bays.filter { $0.model == .pi3B }.map(\.id) == Array(1...16))
        #expect(bays.filter { $0.model == .pi3BPlus }.map(\.id) == Array(17...32))
        #expect(bays[0].mac == "b8:27:eb:10:00:01" && bays[16].mac == "b8:27:eb:20:00:11" && bays[47].mac == "dc:a6:32:30:00:30")
        #expect(bays[47].serial == "32300030" && bays[8].name == "node09" && bays[8].address == "10.42.0.9")
    }

    @Test("a small demo takes the models in turn, in power-on order")
    func smallModule() {
        #expect(DemoBay.selection(count: 6).map(\.id) == [1, 2, 17, 18, 33, 34])
        #expect(DemoBay.selection(count: 1).map(\.model) == [.pi3B])
        #expect(DemoBay.selection(count: 4).map(\.id) == [1, 2, 17, 33])
    }

    @Test("durations: seconds, s, ms, m; anything else is refused")
    func durations() {
        #expect(DemoCommand.seconds("0.5") == 0.5)
        #expect(DemoCommand.seconds("0.5s") == 0.5)
        #expect(DemoCommand.seconds("250ms") == 0.25)
        #expect(DemoCommand.seconds("5m") == 300)
        #expect(DemoCommand.seconds("0") == 0)
        #expect(DemoCommand.seconds("fast") == nil)
        #expect(DemoCommand.seconds("-1s") == nil)
        #expect(DemoCommand.seconds("") == nil)
    }

    @Test("the simulator's lines give the stage, then the outcome; a half-written line waits")
    func simulatorLines() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("node01.jsonl")
        var node = DemoNodeProgress(bay: DemoBay.selection(count: 1)[0])
        directory.write("node01.jsonl", """
            {"step": "power-on", "stage": "rom-dhcp", "t": 0}
            {"step": "rom-dhcp", "stage": "addressed", "t": 1003}
            {"step": "tftp", "stage": "firmware", "t": 12
            """)
        node.update(from: path)
        #expect(node.stage == "addressed" && node.outcome == nil)
        directory.write("node01.jsonl", """
            {"step": "power-on", "stage": "rom-dhcp", "t": 0}
            {"step": "rom-dhcp", "stage": "addressed", "t": 1003}
            {"step": "tftp", "stage": "firmware", "t": 1200}
            {"step": "result", "stage": "kernel", "t": 5000, "ok": false, "failed": "kernel", "reason": "kernel7.img: not found", "bytes": 300}

            """)
        node.update(from: path)
        #expect(node.stage == "kernel")
        #expect(node.outcome == .failed(step: "kernel", reason: "kernel7.img: not found"))
        #expect(node.bytes == 300)
    }

    @Test("a simulator that ends without its result line is a failure at the stage it reached")
    func silentExit() {
        var node = DemoNodeProgress(bay: DemoBay.selection(count: 1)[0])
        node.stage = "loader"
        node.ended(status: -9)
        #expect(node.outcome == .failed(step: "loader", reason: "the simulator exited with status -9 and no result"))
    }

    @Test("bytes served are summed from the server log's TFTP sent lines")
    func servedBytes() throws {
        let directory = try TemporaryDirectory()
        directory.write("serve.log", """
            2026-12-02T04:12:05.170Z info bramble: TFTP sent start.elf to 10.42.0.1 node01: 2969600 bytes in 5801 blocks of 512 (window 1), 3.0 seconds, 0 retransmits
            2026-12-02T04:12:05.215Z info bramble: TFTP sending fixup.dat to 10.42.0.1 node01, options tsize=7168
            2026-12-02T04:12:05.356Z info bramble: TFTP sent fixup.dat to 10.42.0.1 node01: 7168 bytes in 15 blocks of 512 (window 1), 0.1 seconds, 0 retransmits

            """)
        let stats = DemoServerStats.read(pid: -1, logPath: directory.file("serve.log"))
        #expect(stats.tftpBytesSent == 2_969_600 + 7168)
        #expect(stats.tftpTransfersSent == 2)
        #expect(stats.cpuSeconds == nil && stats.peakResidentKiB == nil)
    }
}
