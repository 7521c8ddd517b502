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
        [romDiscover()] + read("bootcode.bin", bytes: 52_000) + [.fileNotFound(file: "bootsig.bin", routine: true), romDiscover(),
         .fileNotFound(file: "9d5ac15a/start.elf", routine: true)]
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
        let timeline = run([romDiscover()] + read("bootcode.bin") + [.fileNotFound(file: "b66c4c16/start.elf", routine: true)] + read("start.elf"))
        #expect(timeline.stage == .loader && timeline.failures.isEmpty)
    }

    @Test func aMissingKernelIsAFailureAtTheLoaderStage() {
        let timeline = run([romDiscover()] + read("bootcode.bin") + read("start.elf") + read("cmdline.txt") + [.fileNotFound(file: "kernel7.img", routine: false)])
        #expect(timeline.stage == .loader)
        #expect(timeline.failures.map(\.reason) == ["file not found: kernel7.img"])
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

    @Test func aDisabledNodeAskingIsAFailureWithTheReason() {
        let ignored = Exchange(message: .discover, answer: .none, firmware: true, transactionID: 1, ignoredBecause: "node is disabled")
        let timeline = run([.dhcp(ignored)])
        #expect(timeline.stage == .waiting)
        #expect(timeline.failures.map(\.reason) == ["DHCP discover not answered: node is disabled"])
    }

    @Test func fileNamesRevealStages() {
        let readsInOrder = ["bootcode.bin", "start_cd.elf", "fixup4.dat", "kernel8.img"]
        let timeline = run([romDiscover()] + readsInOrder.flatMap { read("b66c4c16/\($0)") })
        #expect(timeline.steps.map(\.stage) == [.romDHCP, .addressed, .firmware, .loader, .kernel])
    }
}
