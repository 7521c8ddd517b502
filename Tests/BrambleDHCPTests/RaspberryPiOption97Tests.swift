import BrambleDHCP
import BrambleTestSupport
import PropertyBased
import Testing

/// Option 97 in every layout the Pi firmware sends (docs/raspberry-pi-netboot.md).
@Suite struct RaspberryPiOption97Tests {
    @Test func pi3BROMSendsTheConstant() {
        #expect(RaspberryPiOption97([0] + Array(repeating: 0x44, count: 16)) == .pi3BConstant)
    }

    /// firmware#1605: a 3B+ with MAC b8:27:eb:6c:4c:16 sent `00:16:4c:6c:b6:...`.
    @Test func pi3BPlusRepeatsItsSerial() {
        let value = RaspberryPiOption97(hex("00") + Array(repeating: hex("16 4c 6c b6"), count: 4).joined())
        #expect(value == .repeatedSerial(RaspberryPiSerial(0xb66c_4c16)))
        #expect(value.description == "serial b66c4c16 repeated")
    }

    /// The Pi 4B field log's FourCC `34 69 50 52` and cmprovision#5's `52 50 69 34`: the
    /// same GUID either way.
    @Test(arguments: [hex("34 69 50 52"), hex("52 50 69 34")])
    func pi4FourCCInBothByteOrders(fourCC: [UInt8]) throws {
        let value = RaspberryPiOption97(hex("00") + fourCC + hex("15 31 c0 00  67 7c d4 67  a9 da 4f f3"))
        guard case .bootloaderGUID(let guid) = value else {
            Issue.record("decoded as \(value)")
            return
        }
        #expect(guid.fourCCOrder == (fourCC[0] == 0x52 ? .text : .reversed))
        #expect(guid.generation == "4")
        #expect(guid.boardRevision.description == "Pi 4B 4GB rev 1.5")
        #expect(guid.macLowBytes == hex("67 7c d4 67"))
        #expect(guid.serial.description == "f34fdaa9")
    }

    /// `RPi5` (raspberrypi/documentation#3586) with board revision d04170, both orders.
    @Test(arguments: [hex("52 50 69 35"), hex("35 69 50 52")])
    func pi5GUIDCarriesItsBoard(fourCC: [UInt8]) {
        let value = RaspberryPiOption97(hex("00") + fourCC + hex("70 41 d0 00  fe 01 02 03  ef fd fe 9f"))
        guard case .bootloaderGUID(let guid) = value else {
            Issue.record("decoded as \(value)")
            return
        }
        #expect(guid.generation == "5")
        #expect(guid.boardRevision == RaspberryPiBoardRevision(0x00d0_4170))
        #expect(guid.serial == RaspberryPiSerial(0x9ffe_fdef))
        #expect(value.description == "RPi5 Pi 5B 8GB rev 1.0 serial 9ffefdef")
    }

    /// The family is recognised, not a list: a later `RPi6` is a bootloader GUID too.
    @Test func aLaterGenerationIsStillABootloaderGUID() {
        let value = RaspberryPiOption97(hex("00 52 50 69 36  70 41 d0 00  00 00 00 00  01 00 00 00"))
        guard case .bootloaderGUID(let guid) = value else {
            Issue.record("decoded as \(value)")
            return
        }
        #expect(guid.generation == "6")
    }

    @Test func unknownFourCCsAndOddLayoutsAreTyped() {
        let pc = RaspberryPiOption97(hex("00 86 a9 f5 46 d3 1b 4b a2 9b bb 30 3b 61 bc f8 d1"))
        #expect(pc == .otherGUID(leadingBytes: hex("86 a9 f5 46")))
        #expect(pc.description == "GUID 86a9f546...")
        #expect(RaspberryPiOption97(hex("00 52 50 69 00  70 41 d0 00 00 00 00 00 01 00 00 00")) == .otherGUID(leadingBytes: hex("52 50 69 00")))
        #expect(RaspberryPiOption97(hex("00 52 50 69 35")) == .unexpectedLayout(type: 0, length: 5))
        #expect(RaspberryPiOption97(hex("01") + Array(repeating: 0x44, count: 16)) == .unexpectedLayout(type: 1, length: 17))
        #expect(RaspberryPiOption97([]) == .unexpectedLayout(type: nil, length: 0))
        #expect(RaspberryPiOption97([]).description == "empty")
    }

    /// Any bytes decode to a layout; a Pi layout only from 17 bytes of type 0.
    @Test func anyBytesDecodeToALayout() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...40)) { bytes in
            let value = RaspberryPiOption97(bytes)
            if value.isRaspberryPi { #expect(bytes.count == 17 && bytes[0] == 0) }
            #expect(!value.description.isEmpty)
        }
    }
}

/// Revision codes by Raspberry Pi's documented bit fields (revision-codes.adoc).
@Suite struct RaspberryPiBoardRevisionTests {
    @Test(arguments: [
        (0x00a0_2082 as UInt32, "Pi 3B 1GB rev 1.2"),
        (0x00a0_20a0, "CM3 1GB rev 1.0"),
        (0x00a0_20d3, "Pi 3B+ 1GB rev 1.3"),
        (0x0090_20e0, "Pi 3A+ 512MB rev 1.0"),
        (0x00a0_2100, "CM3+ 1GB rev 1.0"),
        (0x00c0_3111, "Pi 4B 4GB rev 1.1"),
        (0x0090_2120, "Pi Zero 2 W 512MB rev 1.0"),
        (0x00c0_3130, "Pi 400 4GB rev 1.0"),
        (0x00c0_3141, "CM4 4GB rev 1.1"),
        (0x00b0_3150, "CM4S 2GB rev 1.0"),
        (0x00d0_4170, "Pi 5B 8GB rev 1.0"),
        (0x00e0_4171, "Pi 5B 16GB rev 1.1"),
        (0x00e0_4180, "CM5 16GB rev 1.0"),
        (0x00d0_4190, "Pi 500 8GB rev 1.0"),
        (0x00b0_41a0, "CM5 Lite 2GB rev 1.0"),
    ])
    func documentedCodes(code: UInt32, description: String) {
        #expect(RaspberryPiBoardRevision(code).description == description)
    }

    @Test func fields() {
        let pi5 = RaspberryPiBoardRevision(0x00d0_4170)
        #expect(pi5.isNewStyle && pi5.boardType == 0x17 && pi5.memoryMegabytes == 8192)
        #expect(pi5.manufacturer == "Sony UK" && pi5.boardRevision == 0)
        #expect(RaspberryPiBoardRevision(0x00f0_4170).memoryMegabytes == nil)
        #expect(RaspberryPiBoardRevision(0x00f0_4170).description == "Pi 5B rev 1.0", "memory 'Other' is left out")
    }

    @Test func oldStyleAndUnknownTypesSayWhatTheyAre() {
        #expect(RaspberryPiBoardRevision(0x0000_0010).description == "unknown board (revision 0x00000010)", "old-style B+")
        #expect(RaspberryPiBoardRevision(0x00d0_4ff0).description == "unknown board (revision 0x00d04ff0)")
        #expect(RaspberryPiBoardRevision(0xffff_ffff).description == "unknown board (revision 0xffffffff)")
    }

    /// Total on every 32-bit code: a model exactly for new-style codes of a known type,
    /// and a description either way.
    @Test func everyCodeDescribesItself() async {
        await propertyCheck(input: Gen.uint32()) { code in
            let revision = RaspberryPiBoardRevision(code)
            if revision.model != nil { #expect(revision.isNewStyle) }
            if revision.model == nil { #expect(revision.description.hasPrefix("unknown board (revision 0x")) }
            #expect(revision.description.hasSuffix("rev 1.\(code & 0xf)") || revision.model == nil)
        }
    }
}
