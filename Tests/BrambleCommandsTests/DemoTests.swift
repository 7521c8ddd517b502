import ArgumentParser
import BrambleBoot
import BrambleControl
@testable import BrambleDemo
import BrambleTestSupport
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

    @Test("--models names the boards in bay order; 4 is 4b; case and spaces do not matter")
    func modelLists() throws {
        #expect(try DemoBay.parseModels("3b,3b+,4b,cm4,5b,cm5") == DemoBay.Model.allCases)
        #expect(try DemoBay.parseModels("5B, cm5") == [.pi5B, .cm5])
        #expect(try DemoBay.parseModels("3b,4") == [.pi3B, .pi4B])
        #expect(try DemoCommand.parse(["--models", "4b,5b"]).modelList() == [.pi4B, .pi5B])
        #expect(try DemoCommand.parse([]).modelList() == DemoBay.defaultModels, "the default is etc/nodes' module")
    }

    @Test("an unknown, empty or repeated model is refused, naming the known models", arguments: [
        ("3b,pi6", "--models: unknown model 'pi6'; the known models are 3b, 3b+, 4b, cm4, 5b, cm5"),
        ("", "--models: an empty name; the known models are 3b, 3b+, 4b, cm4, 5b, cm5"),
        ("3b,,4b", "--models: an empty name; the known models are 3b, 3b+, 4b, cm4, 5b, cm5"),
        ("5b,cm5,5B", "--models: '5b' is listed twice"),
    ])
    func badModelLists(text: String, message: String) {
        #expect(throws: DemoBay.ModelListError(description: message)) { try DemoBay.parseModels(text) }
        do {
            _ = try DemoCommand.parse(["--models", text])
            Issue.record("--models \(text) was accepted")
        } catch {
            #expect(DemoCommand.message(for: error) == message)
        }
    }

    @Test("the 48 bays are split equally among the models; --nodes stays within them")
    func mixedModule() throws {
        let all = DemoBay.Model.allCases
        #expect(DemoBay.maximumCount(models: all) == 48 && DemoBay.maximumCount(models: DemoBay.defaultModels) == 48)
        #expect(DemoBay.maximumCount(models: [.pi3B, .pi3BPlus, .pi4B, .cm4, .pi5B]) == 45)
        let bays = DemoBay.selection(count: 12, models: all)
        #expect(bays.map(\.id) == [1, 2, 9, 10, 17, 18, 25, 26, 33, 34, 41, 42])
        #expect(bays.map(\.model) == [.pi3B, .pi3B, .pi3BPlus, .pi3BPlus, .pi4B, .pi4B, .cm4, .cm4, .pi5B, .pi5B, .cm5, .cm5])
        #expect(bays[8].mac == "2c:cf:67:50:00:21" && bays[8].serial == "67500021")
        #expect(bays[10].mac == "d8:3a:dd:60:00:29" && bays[6].mac == "e4:5f:01:40:00:19")
        #expect(Set(DemoBay.selection(count: 48, models: all).map(\.mac)).count == 48, "every MAC differs")
        #expect(DemoBay.selection(count: 48).map(\.mac) == DemoBay.selection(count: 48, models: DemoBay.defaultModels).map(\.mac))
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--models", "3b,3b+,4b,cm4,5b", "--nodes", "46"]) }
        #expect(try DemoCommand.parse(["--models", "3b,3b+,4b,cm4,5b", "--nodes", "45"]).nodes == 45)
    }

    @Test("the boot tree holds what the chosen models read: the default module's files as before")
    func bootTreeFilesPerModel() {
        let defaultFiles = Set(DemoBay.defaultModels.flatMap { DemoBootTree.fileNames(for: $0) })
        #expect(defaultFiles == ["bootcode.bin", "start.elf", "fixup.dat", "start4.elf", "fixup4.dat", "kernel7.img", "kernel7l.img",
                                 "bcm2710-rpi-3-b.dtb", "bcm2710-rpi-3-b-plus.dtb", "bcm2711-rpi-4-b.dtb"])
        #expect(DemoBootTree.fileNames(for: .pi5B) == ["kernel_2712.img", "bcm2712-rpi-5-b.dtb"], "no start*.elf on a Pi 5")
        let sized = Set(DemoBootTree.files.map(\.name))
        #expect(DemoBay.Model.allCases.allSatisfy { DemoBootTree.fileNames(for: $0).isSubset(of: sized) })
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

    @Test("what bramble serve sent and its CPU time come from its counters; counters it could not read are named")
    func servedBytes() {
        let histogram = DurationHistogram(upperBoundsMilliseconds: [1000])
        let counters = DaemonCounters(
            time: 0, dhcp: DHCPCounters(received: [:], malformed: 0, replies: [:], ignored: [:], pool: nil),
            tftp: TFTPCounters(transfers: ["sent": 2, "not_found": 3], bytesSent: 2_969_600 + 7168, duration: histogram, inFlight: 0),
            dns: nil, boot: BootCounters(duration: histogram),
            process: ProcessCounters(cpuUserSeconds: 1.25, cpuSystemSeconds: 0.5, residentBytes: nil, anonymousResidentBytes: nil, openDescriptors: nil,
                                     maximumDescriptors: nil, startTime: 0, eventLoopLag: histogram, eventLoopLagMaximumMicroseconds: 0))
        let stats = DemoServerStats.read(pid: -1, counters: .success(counters))
        #expect(stats.tftpBytesSent == 2_976_768 && stats.tftpTransfersSent == 2, "only the files delivered whole")
        #expect(stats.cpuSeconds == 1.75 && stats.peakResidentKiB == nil)
        #expect(DemoReport.summary([], totalSeconds: 1, server: stats).hasSuffix("bramble serve sent 3.0 MB in 2 TFTP transfers, used 1.75 CPU s"))
        let silent = DemoServerStats.read(pid: -1, counters: .failure(DemoError("no bramble daemon answers on /x")))
        #expect(DemoReport.summary([], totalSeconds: 1, server: silent)
            .hasSuffix("bramble serve's counters could not be read (bramble demo: no bramble daemon answers on /x)"))
    }

    @Test("a hub that cannot be asked is named with its socket, in the live view and for the final table")
    func daemonUnavailable() throws {
        let directory = try TemporaryDirectory()
        let daemon = DemoDaemon(socketPath: directory.file("state/control.sock"))
        #expect(daemon.collect() == nil, "nothing asked yet")
        daemon.request()
        guard case .unavailable(let reason)? = daemon.collect() else {
            Issue.record("a missing socket must be reported")
            return
        }
        #expect(reason.hasPrefix("no bramble daemon answers on \(directory.file("state/control.sock")): "), "\(reason)")
        #expect(daemon.collect() == nil, "reported once")
        guard case .failure(let error) = daemon.report(timeout: 1) else {
            Issue.record("a report without a daemon")
            return
        }
        #expect(error.message.hasPrefix("bramble demo: no bramble daemon answers on \(directory.file("state/control.sock"))"))
    }

    @Test("the stage counts name the stages with nodes, furthest first")
    func stageCounts() {
        let nodes = [(1, BootStage.up), (2, .up), (3, .loader), (4, .waiting)].map { id, stage in
            NodeStatus(id: id, name: "node0\(id)", ip: "10.42.0.\(id)", mac: nil, stage: stage, stageSince: nil, bootStarted: nil,
                       bootMilliseconds: nil, reboots: 0, lastError: nil)
        }
        #expect(DemoDaemon.counts(StatusReport(now: 0, nodes: nodes)) == "2 up, 1 loader, 1 waiting")
    }
}
