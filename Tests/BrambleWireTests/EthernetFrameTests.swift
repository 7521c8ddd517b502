import BrambleTestSupport
import BrambleWire
import PropertyBased
import Testing

@Suite struct EthernetFrameTests {
    static let header = hex("ff ff ff ff ff ff b8 27 eb 9d c1 5a")

    @Test func decodesAnUntaggedFrame() throws {
        let frame = try EthernetFrame(decoding: Self.header + hex("08 00 45 00"))
        #expect(frame.destination == .broadcast)
        #expect(frame.source == MACAddress(0xb8, 0x27, 0xeb, 0x9d, 0xc1, 0x5a))
        #expect(frame.etherType == EthernetFrame.etherTypeIPv4)
        #expect(Array(frame.payload) == hex("45 00"))
    }

    @Test func skipsAVLANTag() throws {
        let frame = try EthernetFrame(decoding: Self.header + hex("81 00 00 2a 08 00 45 00"))
        #expect(frame.etherType == EthernetFrame.etherTypeIPv4)
        #expect(Array(frame.payload) == hex("45 00"))
    }

    @Test func skipsStackedVLANTags() throws {
        let frame = try EthernetFrame(decoding: Self.header + hex("88 a8 00 64 81 00 00 2a 08 06 00 01"))
        #expect(frame.etherType == 0x0806)
        #expect(Array(frame.payload) == hex("00 01"))
    }

    @Test(arguments: [0, 6, 13])
    func truncatedHeader(length: Int) {
        let bytes = Array((Self.header + hex("08 00")).prefix(length))
        #expect(throws: FrameDecodingError.truncatedEthernetHeader(length: length)) { try EthernetFrame(decoding: bytes) }
    }

    @Test(arguments: [hex("81 00"), hex("81 00 00 2a"), hex("81 00 00 2a 08")])
    func truncatedVLANTag(tail: [UInt8]) {
        let bytes = Self.header + tail
        #expect(throws: FrameDecodingError.truncatedEthernetHeader(length: bytes.count)) { try EthernetFrame(decoding: bytes) }
    }

    @Test func encodeDecodeRoundTrips() async {
        await propertyCheck(input: Gen.uint8().array(of: 12), Gen.uint16(), Gen.uint8().array(of: 0...64)) { macs, type, payload in
            guard type != 0x8100, type != 0x88a8 else { return }
            let frame = EthernetFrame(destination: MACAddress(bytes: macs.prefix(6))!, source: MACAddress(bytes: macs.suffix(6))!,
                                      etherType: type, payload: payload[...])
            #expect((try? EthernetFrame(decoding: frame.encoded())) == frame)
        }
    }

    @Test func anyBytesDecodeToAFrameOrATypedError() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...40), Gen.bool) { bytes, tagged in
            var bytes = bytes
            if tagged, bytes.count >= 14 { bytes[12] = 0x81; bytes[13] = 0x00 }
            do throws(FrameDecodingError) {
                _ = try EthernetFrame(decoding: bytes)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
