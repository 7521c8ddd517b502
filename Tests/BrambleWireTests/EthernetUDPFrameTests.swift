import BrambleTestSupport
import BrambleWire
import PropertyBased
import Testing

@Suite struct EthernetUDPFrameTests {
    static let hubMAC = MACAddress(0xb8, 0x27, 0xeb, 0xaa, 0xbb, 0xcc)
    static let nodeMAC = MACAddress(0xb8, 0x27, 0xeb, 0x9d, 0xc1, 0x5a)

    static let reply = EthernetUDPFrame(
        sourceMAC: hubMAC, destinationMAC: nodeMAC,
        sourceAddress: IPv4Address(10, 42, 0, 250), destinationAddress: IPv4Address(10, 42, 0, 1),
        sourcePort: 67, destinationPort: 68, payload: Array(repeating: 0x5a, count: 300)[...])

    @Test func replyFrameLayout() throws {
        let bytes = Self.reply.encoded()
        #expect(bytes.count == 14 + 20 + 8 + 300)
        #expect(bytes[0..<6] == Self.nodeMAC.bytes[...] && bytes[6..<12] == Self.hubMAC.bytes[...])
        #expect(bytes[12..<16] == hex("08 00 45 00")[...])
        #expect(bytes[16..<18] == hex("01 48")[...])
        #expect(bytes[22] == 64 && bytes[23] == 17)
        #expect(bytes[34..<40] == hex("00 43 00 44 01 34")[...])
        #expect(InternetChecksum.of(bytes[14..<34]) == 0)
        #expect(bytes[40] != 0 || bytes[41] != 0)
        #expect(try EthernetUDPFrame(decoding: bytes) == Self.reply)
    }

    @Test func notIPv4() {
        var bytes = Self.reply.encoded()
        bytes[12] = 0x86
        bytes[13] = 0xdd
        #expect(throws: FrameDecodingError.notIPv4(etherType: 0x86dd)) { try EthernetUDPFrame(decoding: bytes) }
    }

    @Test func notUDP() throws {
        var packet = try IPv4Packet(decoding: Array(Self.reply.encoded().dropFirst(14)))
        packet.protocolNumber = 6
        let bytes = EthernetFrame(destination: Self.nodeMAC, source: Self.hubMAC, etherType: 0x0800,
                                  payload: packet.encoded()[...]).encoded()
        #expect(throws: FrameDecodingError.notUDP(protocolNumber: 6)) { try EthernetUDPFrame(decoding: bytes) }
    }

    @Test func encodeDecodeRoundTrips() async {
        let addressing = zip(Gen.uint8().array(of: 12), Gen.uint32(), Gen.uint32(), Gen.uint16(), Gen.uint16())
        let ipFields = zip(Gen.uint8(), Gen.uint16(), Gen.bool)
        await propertyCheck(input: addressing, ipFields, Gen.uint8().array(of: 0...600)) { addressing, ipFields, payload in
            let (macs, source, destination, sourcePort, destinationPort) = addressing
            let (ttl, id, dontFragment) = ipFields
            let frame = EthernetUDPFrame(
                sourceMAC: MACAddress(bytes: macs.prefix(6))!, destinationMAC: MACAddress(bytes: macs.suffix(6))!,
                sourceAddress: IPv4Address(source), destinationAddress: IPv4Address(destination),
                sourcePort: sourcePort, destinationPort: destinationPort,
                timeToLive: ttl, identification: id, dontFragment: dontFragment, payload: payload[...])
            #expect((try? EthernetUDPFrame(decoding: frame.encoded())) == frame)
        }
    }

    /// Any single changed byte of a valid frame is caught, except in the MAC addresses (bytes
    /// 0-11), which no checksum covers once the NIC has stripped the FCS. This frame's UDP
    /// checksum is 0xf6bf: no single-byte change can turn it into "no checksum" (0).
    @Test func corruptedFramesAreValuesOrTypedErrors() async {
        let valid = Self.reply.encoded()
        await propertyCheck(count: 500, input: Gen.int(in: 0...(valid.count - 1)), Gen.uint8(in: 1...255)) { index, flip in
            var bytes = valid
            bytes[index] ^= flip
            do throws(FrameDecodingError) {
                let decoded = try EthernetUDPFrame(decoding: bytes)
                #expect(index < 12, "a change at byte \(index) went unnoticed: \(decoded)")
            } catch {
                #expect(index >= 12)
            }
        }
    }

    @Test func anyBytesDecodeToAFrameOrATypedError() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...100)) { bytes in
            do throws(FrameDecodingError) {
                _ = try EthernetUDPFrame(decoding: bytes)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
