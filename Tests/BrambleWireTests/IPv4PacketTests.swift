import BrambleWire
import PropertyBased
import Testing

@Suite struct IPv4PacketTests {
    private func packet(header: [UInt8], payloadLength: Int = 328) -> [UInt8] {
        header + [UInt8](repeating: 0xab, count: payloadLength)
    }

    /// Recomputes the checksum so tests can change a field and still be "valid".
    private func withChecksum(_ header: [UInt8]) -> [UInt8] {
        var header = header
        header[10] = 0
        header[11] = 0
        let checksum = InternetChecksum.of(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xff)
        return header
    }

    @Test func decodesThePi3BROMHeader() throws {
        let decoded = try IPv4Packet(decoding: packet(header: pi3BROMIPv4Header))
        #expect(decoded.source == .any && decoded.destination == .broadcast)
        #expect(decoded.timeToLive == 128 && decoded.identification == 0 && !decoded.dontFragment)
        #expect(decoded.protocolNumber == IPv4Packet.protocolUDP)
        #expect(decoded.payload.count == 328)
    }

    @Test func encodesThePi3BROMHeaderExactly() throws {
        let decoded = try IPv4Packet(decoding: packet(header: pi3BROMIPv4Header))
        #expect(Array(decoded.encoded().prefix(20)) == pi3BROMIPv4Header)
    }

    @Test func ethernetPaddingBeyondTotalLengthIsCutOff() throws {
        let decoded = try IPv4Packet(decoding: packet(header: pi3BROMIPv4Header, payloadLength: 340))
        #expect(decoded.payload.count == 328)
    }

    @Test func headerOptionsAreSkipped() throws {
        var header = pi3BROMIPv4Header
        header[0] = 0x46
        header[3] += 4
        header += [0x94, 0x04, 0x00, 0x00]
        let decoded = try IPv4Packet(decoding: packet(header: withChecksum(header)))
        #expect(decoded.payload.count == 328 && decoded.payload.first == 0xab)
    }

    @Test func badChecksumNamesFoundAndExpected() {
        var header = pi3BROMIPv4Header
        header[11] = 0x93
        #expect(throws: FrameDecodingError.badIPv4HeaderChecksum(found: 0x3993, expected: 0x3992)) {
            try IPv4Packet(decoding: packet(header: header))
        }
    }

    @Test(arguments: [0, 1, 19])
    func truncatedHeader(length: Int) {
        #expect(throws: FrameDecodingError.truncatedIPv4Header(length: length)) {
            try IPv4Packet(decoding: Array(pi3BROMIPv4Header.prefix(length)))
        }
    }

    @Test func notVersion4() {
        var header = pi3BROMIPv4Header
        header[0] = 0x65
        #expect(throws: FrameDecodingError.unsupportedIPVersion(6)) { try IPv4Packet(decoding: packet(header: header)) }
    }

    @Test(arguments: [(UInt8(0x44), 16), (0x4f, 60)])
    func headerLengthOutOfBounds(versionAndLength: UInt8, headerLength: Int) {
        var header = pi3BROMIPv4Header
        header[0] = versionAndLength
        #expect(throws: FrameDecodingError.invalidIPv4HeaderLength(headerLength: headerLength, available: 40)) {
            try IPv4Packet(decoding: packet(header: header, payloadLength: 20))
        }
    }

    @Test func totalLengthBeyondTheBytesReceived() {
        #expect(throws: FrameDecodingError.invalidIPv4TotalLength(totalLength: 348, headerLength: 20, available: 347)) {
            try IPv4Packet(decoding: packet(header: pi3BROMIPv4Header, payloadLength: 327))
        }
    }

    @Test func totalLengthShorterThanTheHeader() {
        var header = pi3BROMIPv4Header
        header[2] = 0
        header[3] = 19
        #expect(throws: FrameDecodingError.invalidIPv4TotalLength(totalLength: 19, headerLength: 20, available: 348)) {
            try IPv4Packet(decoding: packet(header: withChecksum(header)))
        }
    }

    @Test(arguments: [(UInt8(0x20), UInt8(0x00)), (0x00, 0x01), (0x1f, 0xff), (0x60, 0x00)])
    func fragmentsAreRefused(flagsHigh: UInt8, flagsLow: UInt8) {
        var header = pi3BROMIPv4Header
        header[6] = flagsHigh
        header[7] = flagsLow
        #expect(throws: FrameDecodingError.fragmentedIPv4Packet) {
            try IPv4Packet(decoding: packet(header: withChecksum(header)))
        }
    }

    @Test func dontFragmentAloneIsNotAFragment() throws {
        var header = pi3BROMIPv4Header
        header[6] = 0x40
        #expect(try IPv4Packet(decoding: packet(header: withChecksum(header))).dontFragment)
    }

    @Test func encodeDecodeRoundTrips() async {
        let fields = zip(Gen.uint32(), Gen.uint32(), Gen.uint8(), Gen.uint8(), Gen.uint16(), Gen.bool, Gen.uint8())
        await propertyCheck(input: fields, Gen.uint8().array(of: 0...100)) { fields, payload in
            let (source, destination, protocolNumber, ttl, id, dontFragment, tos) = fields
            let original = IPv4Packet(
                source: IPv4Address(source), destination: IPv4Address(destination), protocolNumber: protocolNumber,
                timeToLive: ttl, identification: id, dontFragment: dontFragment, typeOfService: tos, payload: payload[...])
            #expect((try? IPv4Packet(decoding: original.encoded())) == original)
        }
    }

    @Test func anyBytesDecodeToAPacketOrATypedError() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...80)) { bytes in
            do throws(FrameDecodingError) {
                let decoded = try IPv4Packet(decoding: bytes)
                #expect(decoded.payload.count <= bytes.count - 20)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
