import BrambleBoot
@testable import BrambleDHCP
@testable import BrambleServer
import BrambleTFTP
import BrambleWire
import Testing

@Suite struct BootEventTranslationTests {
    func event(_ received: DHCPMessageType, _ client: DHCPClientKind, _ outcome: DHCPEvent.Outcome) -> DHCPEvent {
        DHCPEvent(
            mac: MACAddress("b8:27:eb:00:00:05")!, nodeID: 5, nodeName: "node05", received: received, client: client,
            serial: nil, relay: nil, outcome: outcome, transactionID: 0x1234)
    }

    @Test func aROMDiscoverAnsweredIsAFirmwareOffer() {
        let kind = BootEvent.Kind(event(.discover, .pi3BBootROM, .replied(.offer, address: IPv4Address(10, 42, 0, 5))))
        #expect(kind == .dhcp(.init(message: .discover, answer: .offer, firmware: true, transactionID: 0x1234, client: "Pi 3B ROM", address: "10.42.0.5", model: "Pi 3B")))
    }

    @Test func aDisabledNodeIsAFailureAndAnotherServersChoiceIsNot() {
        guard case .dhcp(let disabled)? = BootEvent.Kind(event(.discover, .piBootloader(generation: "4"), .ignored(.disabledNode))) else { Issue.record(); return }
        #expect(disabled.ignoredBecause == "node is disabled" && disabled.answer == .none)
        guard case .dhcp(let elsewhere)? = BootEvent.Kind(event(.request, .plain, .ignored(.otherServerChosen(IPv4Address(10, 42, 0, 1))))) else { Issue.record(); return }
        #expect(elsewhere.ignoredBecause == nil && !elsewhere.firmware)
    }

    /// The bootloader's option 97 names the board: the node's boot log line says which.
    @Test func aBootloaderDiscoverNamesTheBoardInTheLogLine() {
        var discover = event(.discover, .piBootloader(generation: "5"), .replied(.offer, address: IPv4Address(10, 42, 0, 5)))
        discover.boardRevision = RaspberryPiBoardRevision(0x00d0_4170)
        discover.serial = RaspberryPiSerial(0x9ffe_fdef)
        guard case .dhcp(let exchange)? = BootEvent.Kind(discover) else { Issue.record(); return }
        #expect(exchange.client == "Pi 5 bootloader, Pi 5B 8GB rev 1.0, serial 9ffefdef")
        #expect(exchange.model == "Pi 5B 8GB rev 1.0" && exchange.modelIsDefinite)
    }

    /// A PXE client's option 97 in no Pi layout is shown as it is; the kernel's DHCP names
    /// no model (the timeline keeps the firmware's); the serial layout's model is a guess.
    @Test func unknownGUIDsAreShownAndTheKernelNamesNoModel() {
        var pxe = event(.discover, .pxe(architecture: 0), .replied(.offer, address: nil))
        pxe.clientMachineIdentifier = .otherGUID(leadingBytes: [0x58, 0x59, 0x5a, 0x35])
        guard case .dhcp(let unknown)? = BootEvent.Kind(pxe) else { Issue.record(); return }
        #expect(unknown.client == "PXE arch 0, unknown board (option 97 GUID 58595a35...)")
        guard case .dhcp(let kernel)? = BootEvent.Kind(event(.discover, .plain, .replied(.offer, address: nil))) else { Issue.record(); return }
        #expect(kernel.model == nil)
        guard case .dhcp(let rom)? = BootEvent.Kind(event(.discover, .piSerialROM, .replied(.offer, address: nil))) else { Issue.record(); return }
        #expect(rom.model == "Pi 3B+ or bootcode.bin" && !rom.modelIsDefinite)
    }

    @Test func tftpEndsAndRefusals() {
        let summary = TFTPTransferSummary(bytes: 52_480, blocks: 103, duration: .milliseconds(41), retransmits: 2, blockSize: 512, windowSize: 1)
        #expect(BootEvent.Kind(.finished(summary), fileName: "bootcode.bin") == .transferFinished(file: "bootcode.bin", bytes: 52_480, milliseconds: 41, retransmits: 2))
        #expect(BootEvent.Kind(.failed(.timedOut(lastAcknowledgedBlock: 9)), fileName: "k") == .transferFailed(file: "k", reason: "timed out: no answer after block 9"))
        #expect(BootEvent.Kind(.probeEnded(.endedEarly(message: "Early terminate")), fileName: "start.elf") == .transferProbed(file: "start.elf"))
        #expect(BootEvent.Kind(refusal: .notFound(isRoutine: false), fileName: "k", tried: ["k"]) == .fileNotFound(file: "k", routine: false, tried: ["k"]))
        #expect(BootEvent.Kind(refusal: .accessViolation(reason: "x"), fileName: "../x", tried: []) == nil)
    }

    /// A transfer driven on a fake clock: one that took more than half of the bootloader's
    /// 30 s per file is flagged in its boot-log line, naming the EEPROM setting; one that
    /// took exactly half is not.
    @Test(arguments: [(15.001, true), (15.0, false), (2.0, false)])
    func aTransferOverHalfTheBootloadersFileTimeoutIsFlagged(seconds: Double, flagged: Bool) {
        let origin: UInt64 = 5_000_000_000_000
        func instant(_ seconds: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: origin + UInt64(seconds * 1_000_000_000)) }
        var transfer = TFTPTransfer(
            contents: [UInt8](repeating: 7, count: 3000),
            parameters: TFTPTransferParameters(blockSize: 1024, windowSize: 1, timeout: nil, acknowledgedOptions: []))
        _ = transfer.start(now: instant(0))
        _ = transfer.received(.acknowledgement(block: 1), now: instant(seconds / 3))
        _ = transfer.received(.acknowledgement(block: 2), now: instant(seconds * 2 / 3))
        guard case .finished(let summary)? = Array(transfer.received(.acknowledgement(block: 3), now: instant(seconds))).last else {
            Issue.record("the transfer did not finish")
            return
        }
        let text = BootEvent.Kind(.finished(summary), fileName: "initramfs8").description
        #expect(text.hasPrefix("TFTP initramfs8 sent: 3000 bytes in \(Int(seconds * 1000)) ms"))
        #expect(text.contains("; slow: over half of the 30 s a Pi 4/5 bootloader waits for a file by default (EEPROM setting TFTP_FILE_TIMEOUT)") == flagged, "\(text)")
    }
}
