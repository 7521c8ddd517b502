import BrambleBoot
import Testing

@Suite struct BootLogLineTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(951_782_400_123), "2000-02-29T00:00:00.123Z"),
        (Int64(1_796_185_803_250), "2026-12-02T04:30:03.250Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(4_107_542_399_999), "2100-02-28T23:59:59.999Z"),
    ])
    func utcTimestamps(milliseconds: Int64, expected: String) {
        #expect(UTCTimestamp.format(milliseconds: milliseconds) == expected)
    }

    @Test func aLineCarriesTimeSincePowerOnNodeStageAndText() {
        let line = BootLogLine.format(
            time: 1_796_185_803_250, bootStarted: 1_796_185_800_000, node: "node05", stage: .firmware, failure: false,
            text: BootEvent.Kind.transferFinished(file: "bootcode.bin", bytes: 52_480, milliseconds: 40, retransmits: 0).description)
        #expect(line == "2026-12-02T04:30:03.250Z +3.250s node05 firmware    TFTP bootcode.bin sent: 52480 bytes in 40 ms")
    }

    @Test func aLineBeforeAnyBootHasNoTimeSincePowerOnAndFailuresAreMarked() {
        let exchange = BootEvent.DHCPExchange(
            message: .discover, answer: .none, firmware: true, transactionID: 1, ignoredBecause: "node is disabled", client: "Pi 3B ROM")
        let line = BootLogLine.format(time: 0, bootStarted: nil, node: "node07", stage: .waiting, failure: true, text: exchange.description)
        #expect(line == "1970-01-01T00:00:00.000Z - node07 waiting     FAILED DHCPDISCOVER (Pi 3B ROM) not answered: node is disabled")
    }

    @Test func eventTexts() {
        let offer = BootEvent.DHCPExchange(message: .discover, answer: .offer, firmware: true, transactionID: 1, client: "Pi 4 bootloader", address: "10.42.0.5")
        #expect(offer.description == "DHCPDISCOVER (Pi 4 bootloader) -> OFFER 10.42.0.5")
        let missing = BootEvent.Kind.fileNotFound(file: "kernel8.img", routine: false, tried: ["nodes/node05/kernel8.img", "kernel8.img"])
        #expect(missing.description == "TFTP kernel8.img not found (tried nodes/node05/kernel8.img, kernel8.img)")
        #expect(BootEvent.Kind.transferFinished(file: "k", bytes: 1, milliseconds: 2, retransmits: 3).description == "TFTP k sent: 1 bytes in 2 ms, 3 retransmits")
        #expect(BootLogLine.seconds(61_005) == "61.005s")
    }
}

@Suite struct BootLogLineEscapingTests {
    @Test func clientTextInABootLogLineStaysOneLine() {
        let line = BootLogLine.format(
            time: 0, bootStarted: nil, node: "node05", stage: .firmware, failure: true,
            text: BootEvent.Kind.fileNotFound(file: "x\n1970-01-01T00:00:00.000Z - node06 up \u{1b}[31m", routine: false, tried: []).description)
        #expect(!line.contains("\n") && !line.contains("\u{1b}"))
        #expect(line.contains("x\\x0a1970-01-01T00:00:00.000Z - node06 up \\x1b[31m"))
    }

    @Test func bytesThatAreNotUTF8AreEscapedOneByOne() {
        #expect(LogText.escaped(bytes: Array("ok é".utf8) + [0xff, 0xc3, 0x28, 0xe2, 0x82] + Array("\\\n".utf8)) == "ok é\\xff\\xc3(\\xe2\\x82\\x5c\\x0a")
        #expect(LogText.escaped(bytes: [0xed, 0xa0, 0x80]) == "\\xed\\xa0\\x80", "an encoded surrogate is not UTF-8")
        #expect(LogText.escaped(bytes: Array("🙂".utf8)) == "🙂")
    }
}
