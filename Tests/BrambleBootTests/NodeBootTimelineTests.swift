import BrambleBoot
import Testing

@Suite struct NodeBootTimelineTests {
    typealias Exchange = BootEvent.DHCPExchange

    /// Builds events one second apart from a compact script.
    func run(_ kinds: [BootEvent.Kind], start: Int64 = 1_000_000) -> NodeBootTimeline {
        var timeline = NodeBootTimeline()
        for (index, kind) in kinds.enumerated() { timeline.apply(BootEvent(time: start + Int64(index) * 1000, kind: kind)) }
        return timeline
    }

    func romDiscover(_ answer: Exchange.Answer = .offer, xid: UInt32 = 0x26f3_0339) -> BootEvent.Kind {
        .dhcp(Exchange(message: .discover, answer: answer, firmware: true, transactionID: xid))
    }
    func plain(_ message: Exchange.Message, _ answer: Exchange.Answer, xid: UInt32) -> BootEvent.Kind {
        .dhcp(Exchange(message: message, answer: answer, firmware: false, transactionID: xid))
    }
    func read(_ file: String, bytes: Int = 1000) -> [BootEvent.Kind] {
        [.transferStarted(file: file), .transferFinished(file: file, bytes: bytes, milliseconds: 20, retransmits: 0)]
    }

    var pi3Boot: [BootEvent.Kind] {
        [romDiscover()] + read("bootcode.bin", bytes: 52_000) + [.fileNotFound(file: "bootsig.bin", routine: true, tried: ["bootsig.bin"]), romDiscover(),
         .fileNotFound(file: "9d5ac15a/start.elf", routine: true, tried: [])]
            + read("start.elf") + read("fixup.dat") + read("config.txt") + read("cmdline.txt") + read("bcm2710-rpi-3-b.dtb") + read("kernel7.img")
            + [plain(.discover, .offer, xid: 7), plain(.request, .ack, xid: 7), plain(.discover, .offer, xid: 9), plain(.request, .ack, xid: 9)]
    }

    @Test func aPi3BootGoesThroughEveryStage() {
        let timeline = run(pi3Boot)
        #expect(timeline.stage == .up)
        #expect(timeline.steps.map(\.stage) == [.romDHCP, .addressed, .firmware, .loader, .kernel, .kernelDHCP, .up])
        #expect(timeline.failures.isEmpty, "bootsig.bin and the serial probe are routine")
        #expect(timeline.reboots == 0, "bootcode.bin's own DISCOVER is not a reboot")
        #expect(timeline.bootDuration == Int64(pi3Boot.count - 2) * 1000)
        #expect(timeline.steps[2].detail == "reading bootcode.bin")
        #expect(timeline.steps[4].detail == "kernel7.img (1000 bytes, 20 ms)")
    }

    @Test func aPi4BootWithAFullDORAAndADNSQuery() {
        let discover = Exchange(message: .discover, answer: .offer, firmware: true, transactionID: 0xc330_4c5b)
        let request = Exchange(message: .request, answer: .ack, firmware: true, transactionID: 0xc330_4c5b)
        let timeline = run([.dhcp(discover), .dhcp(request)] + read("config.txt") + read("start4.elf") + read("fixup4.dat")
            + read("bcm2711-rpi-4-b.dtb") + read("kernel8.img") + [plain(.discover, .offer, xid: 3), .firstDNSQuery])
        #expect(timeline.steps.map(\.stage) == [.romDHCP, .addressed, .firmware, .loader, .kernel, .kernelDHCP, .up])
        #expect(timeline.steps[2].detail == "reading config.txt", "the Pi 4 bootloader's first read")
        #expect(timeline.steps.last?.detail == "first DNS query")
    }

    @Test func aSerialPrefixFallbackIsNotAFailure() {
        let timeline = run([romDiscover()] + read("bootcode.bin") + [.fileNotFound(file: "b66c4c16/start.elf", routine: true, tried: [])] + read("start.elf"))
        #expect(timeline.stage == .loader && timeline.failures.isEmpty)
    }

    @Test func aMissingKernelIsAFailureAtTheLoaderStage() {
        let timeline = run([romDiscover()] + read("bootcode.bin") + read("start.elf") + read("cmdline.txt")
            + [.fileNotFound(file: "kernel7.img", routine: false, tried: ["nodes/node05/kernel7.img", "kernel7.img"])])
        #expect(timeline.stage == .loader)
        #expect(timeline.failures.map(\.reason) == ["file not found: kernel7.img (tried nodes/node05/kernel7.img, kernel7.img)"])
        #expect(timeline.lastError == timeline.failures.last?.reason)
        #expect(timeline.failures.first?.stage == .loader)
        #expect(timeline.bootDuration == nil)
    }

    @Test func aRebootMidBootStartsANewBootAndIsCounted() {
        let firstBoot = [romDiscover()] + read("bootcode.bin") + read("start.elf") + [.transferFailed(file: "kernel7.img", reason: "timed out")]
        let timeline = run(firstBoot + [romDiscover()] + read("bootcode.bin"))
        #expect(timeline.reboots == 1)
        #expect(timeline.stage == .firmware)
        #expect(timeline.failures.isEmpty, "the new boot starts clean")
        #expect(timeline.bootStarted == 1_000_000 + Int64(firstBoot.count) * 1000)
    }

    @Test func aNodeThatNeverGetsPastDHCP() {
        let timeline = run([romDiscover(), romDiscover(), romDiscover(), romDiscover()])
        #expect(timeline.stage == .addressed)
        #expect(timeline.failures.count == 1)
        #expect(timeline.failures.first?.reason.hasPrefix("the firmware keeps asking: 3 offers not taken") == true)
    }

    @Test func aDisabledNodeAskingIsAFailureWithTheReasonRecordedOnce() {
        let ignored = Exchange(message: .discover, answer: .none, firmware: true, transactionID: 1, ignoredBecause: "node is disabled")
        var timeline = NodeBootTimeline()
        for second in 0..<50 {
            let failure = timeline.apply(BootEvent(time: Int64(second) * 1000, kind: .dhcp(ignored)))
            #expect(failure == "DHCP discover not answered: node is disabled")
        }
        #expect(timeline.stage == .waiting)
        #expect(timeline.failures.map(\.reason) == ["DHCP discover not answered: node is disabled"])
        #expect(timeline.failures.first?.time == 49_000, "a repeat moves the failure's time")
    }

    @Test func aTimedOutKernelTransferIsTheLastError() {
        var timeline = run([romDiscover()] + read("bootcode.bin") + read("start.elf"))
        let failure = timeline.apply(BootEvent(time: 9_000_000, kind: .transferFailed(file: "kernel7.img", reason: "timed out: no answer after block 12")))
        #expect(failure == "kernel7.img: timed out: no answer after block 12")
        #expect(timeline.lastError == failure)
        #expect(timeline.failures.first?.stage == .loader)
    }

    @Test func probesAndRoutineMissesAreNoFailures() {
        var timeline = run([romDiscover()] + read("bootcode.bin"))
        #expect(timeline.apply(BootEvent(time: 5_000_000, kind: .transferProbed(file: "start.elf"))) == nil)
        #expect(timeline.apply(BootEvent(time: 5_000_001, kind: .fileNotFound(file: "bootsig.bin", routine: true, tried: ["bootsig.bin"]))) == nil)
        #expect(timeline.failures.isEmpty && timeline.stage == .firmware)
    }

    @Test func aNodeFirstHeardFromItsOSIsUpWithoutABootTime() {
        let byDNS = run([.firstDNSQuery])
        #expect(byDNS.stage == .up && byDNS.bootStarted == nil && byDNS.bootDuration == nil)
        #expect(byDNS.steps.first?.detail == "first DNS query, already running")
        let byDHCP = run([plain(.request, .ack, xid: 4)])
        #expect(byDHCP.stage == .up && byDHCP.bootDuration == nil)
        let rebooted = run([plain(.request, .ack, xid: 4), romDiscover()])
        #expect(rebooted.stage == .addressed && rebooted.reboots == 1, "its next ROM DISCOVER is a boot like any other")
    }

    @Test func anEarlyDNSQueryDoesNotSkipStages() {
        let timeline = run([romDiscover()] + read("bootcode.bin") + [.firstDNSQuery])
        #expect(timeline.stage == .firmware)
    }

    @Test func aNAKIsAFailure() {
        let nak = Exchange(message: .request, answer: .nak, firmware: false, transactionID: 5)
        let timeline = run([romDiscover(), .dhcp(nak)])
        #expect(timeline.lastError == "DHCP request refused (NAK)")
    }

    @Test func fileNamesRevealStages() {
        let readsInOrder = ["bootcode.bin", "start_cd.elf", "fixup4.dat", "kernel8.img"]
        let timeline = run([romDiscover()] + readsInOrder.flatMap { read("b66c4c16/\($0)") })
        #expect(timeline.steps.map(\.stage) == [.romDHCP, .addressed, .firmware, .loader, .kernel])
    }

    /// The model the firmware reported outlives the kernel's DHCP (which names none) and a
    /// reboot; the serial layout's guess never replaces the 3B ROM's definite "Pi 3B".
    @Test func theReportedModelIsKeptAndAGuessNeverReplacesIt() {
        func firmware(_ model: String?, definite: Bool = true, xid: UInt32 = 1) -> BootEvent.Kind {
            .dhcp(Exchange(message: .discover, answer: .offer, firmware: true, transactionID: xid, model: model, modelIsDefinite: definite))
        }
        #expect(run([]).model == nil)
        let pi3 = run([firmware("Pi 3B"), firmware("Pi 3B+ or bootcode.bin", definite: false)] + read("start.elf") + [plain(.discover, .offer, xid: 9)])
        #expect(pi3.model == "Pi 3B")
        #expect(run([firmware("Pi 3B+ or bootcode.bin", definite: false)]).model == "Pi 3B+ or bootcode.bin")
        #expect(run([firmware("Pi 3B+ or bootcode.bin", definite: false), firmware("Pi 4B 4GB rev 1.5")]).model == "Pi 4B 4GB rev 1.5")
        let rebooted = run([firmware("CM4 4GB rev 1.1")] + read("start4.elf") + read("kernel8.img") + [plain(.discover, .offer, xid: 9), firmware(nil, xid: 2)])
        #expect(rebooted.reboots == 1 && rebooted.model == "CM4 4GB rev 1.1")
    }
}
