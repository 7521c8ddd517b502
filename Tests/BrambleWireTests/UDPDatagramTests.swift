import BrambleTestSupport
import BrambleWire
import PropertyBased
import Testing

@Suite struct UDPDatagramTests {
    static let client = IPv4Address(10, 42, 0, 7)
    static let hub = IPv4Address(10, 42, 0, 250)

    private func datagram(_ payload: [UInt8], checksum: UInt16? = nil) -> [UInt8] {
        var bytes = UDPDatagram(sourcePort: 49152, destinationPort: 69, payload: payload[...])
            .encoded(source: Self.client, destination: Self.hub)
        if let checksum {
            bytes[6] = UInt8(checksum >> 8)
            bytes[7] = UInt8(checksum & 0xff)
        }
        return bytes
    }

    /// fixtures.md F3: the Pi ROM's first TFTP read request.
    static let bootcodeRequest = hex("00 01 62 6f 6f 74 63 6f 64 65 2e 62 69 6e 00 6f 63 74 65 74 00")

    @Test func goodChecksumIsVerified() throws {
        let bytes = datagram(Self.bootcodeRequest)
        #expect(bytes[6] != 0 || bytes[7] != 0)
        let decoded = try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub)
        #expect(decoded.sourcePort == 49152 && decoded.destinationPort == 69)
        #expect(Array(decoded.payload) == Self.bootcodeRequest)
    }

    /// A local sender with checksum offload leaves a partial sum; the raw socket says so and
    /// the decoder is told not to verify.
    @Test func aChecksumLeftForOffloadIsNotVerifiedWhenTheSocketSaysSo() throws {
        let bytes = datagram(Self.bootcodeRequest, checksum: 0x1735)
        #expect(throws: FrameDecodingError.self) { try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub) }
        let decoded = try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub, verifyingChecksum: false)
        #expect(Array(decoded.payload) == Self.bootcodeRequest)
    }

    /// RFC 768: zero means "no checksum"; the Pi ROM and the Linux kernel send it.
    @Test func zeroChecksumIsAccepted() throws {
        let decoded = try UDPDatagram(decoding: datagram(Self.bootcodeRequest, checksum: 0)[...],
                                      source: Self.client, destination: Self.hub)
        #expect(Array(decoded.payload) == Self.bootcodeRequest)
    }

    @Test func badChecksumIsRefused() throws {
        let good = datagram(Self.bootcodeRequest)
        let expected = UInt16(good[6]) << 8 | UInt16(good[7])
        let wrong: UInt16 = expected == 0x1234 ? 0x4321 : 0x1234
        #expect(throws: FrameDecodingError.badUDPChecksum(found: wrong, expected: expected)) {
            try UDPDatagram(decoding: datagram(Self.bootcodeRequest, checksum: wrong)[...],
                            source: Self.client, destination: Self.hub)
        }
    }

    /// The pseudo-header is covered: the same bytes from another address do not verify.
    @Test func checksumCoversThePseudoHeader() {
        #expect(throws: FrameDecodingError.self) {
            try UDPDatagram(decoding: datagram(Self.bootcodeRequest)[...],
                            source: IPv4Address(10, 42, 0, 8), destination: Self.hub)
        }
    }

    /// A sum that comes out as 0 is sent as 0xffff, since 0 would mean "no checksum".
    @Test func computedZeroIsSentAsAllOnes() throws {
        var checksum = InternetChecksum()
        checksum.add(Self.client.value)
        checksum.add(Self.hub.value)
        checksum.add(UInt16(17))
        checksum.add(UInt16(10))
        checksum.add(UInt16(49152))
        checksum.add(UInt16(69))
        checksum.add(UInt16(10))
        let balancing = checksum.value
        let payload = [UInt8(balancing >> 8), UInt8(balancing & 0xff)]
        let bytes = datagram(payload)
        #expect(bytes[6] == 0xff && bytes[7] == 0xff)
        #expect(try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub).payload.count == 2)
    }

    @Test(arguments: [0, 7])
    func truncatedHeader(length: Int) {
        #expect(throws: FrameDecodingError.truncatedUDPHeader(length: length)) {
            try UDPDatagram(decoding: datagram([]).prefix(length), source: Self.client, destination: Self.hub)
        }
    }

    @Test(arguments: [(UInt8(0), UInt8(7)), (0, 30), (0xff, 0xff)])
    func lengthOutsideTheIPPayload(high: UInt8, low: UInt8) {
        var bytes = datagram(Self.bootcodeRequest, checksum: 0)
        bytes[4] = high
        bytes[5] = low
        #expect(throws: FrameDecodingError.invalidUDPLength(udpLength: Int(high) << 8 | Int(low), available: 29)) {
            try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub)
        }
    }

    @Test func bytesBeyondTheUDPLengthAreIgnored() throws {
        let bytes = datagram(Self.bootcodeRequest) + [0, 0, 0, 0]
        let decoded = try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub)
        #expect(decoded.payload.count == Self.bootcodeRequest.count)
    }

    @Test func anyBytesDecodeToADatagramOrATypedError() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...40), Gen.bool) { bytes, zeroChecksum in
            var bytes = bytes
            if zeroChecksum, bytes.count >= 8 { bytes[6] = 0; bytes[7] = 0 }
            do throws(FrameDecodingError) {
                let decoded = try UDPDatagram(decoding: bytes[...], source: Self.client, destination: Self.hub)
                #expect(decoded.payload.count <= bytes.count - 8)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
