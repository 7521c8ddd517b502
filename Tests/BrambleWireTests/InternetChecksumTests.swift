import BrambleTestSupport
import BrambleWire
import PropertyBased
import Testing

@Suite struct InternetChecksumTests {
    /// RFC 1071 section 3's worked example: the sum of these bytes is 0xddf2.
    @Test func rfc1071Example() {
        #expect(InternetChecksum.of(hex("00 01 f2 03 f4 f5 f6 f7")) == ~UInt16(0xddf2))
    }

    @Test func oddLengthPadsWithZero() {
        #expect(InternetChecksum.of(hex("01 02 03")) == InternetChecksum.of(hex("01 02 03 00")))
        #expect(InternetChecksum.of([]) == 0xffff)
    }

    @Test func knownIPv4HeaderSumsToZero() {
        #expect(InternetChecksum.of(pi3BROMIPv4Header) == 0)
    }

    @Test func endAroundCarryIsFolded() {
        #expect(InternetChecksum.of(hex("ff ff ff ff 00 01")) == ~UInt16(0x0001))
    }

    /// Splitting the input anywhere, odd lengths included, must not change the checksum:
    /// the UDP encoder sums the pseudo-header, header and payload as separate pieces.
    @Test func piecesSumLikeTheWhole() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...200), Gen.int(in: 0...200), Gen.int(in: 0...200)) { bytes, a, b in
            let first = min(a, b, bytes.count)
            let second = min(max(a, b), bytes.count)
            var checksum = InternetChecksum()
            checksum.add(bytes[..<first])
            checksum.add(bytes[first..<second])
            checksum.add(bytes[second...])
            #expect(checksum.value == InternetChecksum.of(bytes))
        }
    }

    @Test func wordsAddLikeTheirBytes() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...9), Gen.uint16(), Gen.uint32()) { prefix, word, long in
            var checksum = InternetChecksum()
            checksum.add(prefix)
            checksum.add(word)
            checksum.add(long)
            let bytes = prefix + [UInt8(word >> 8), UInt8(word & 0xff),
                                  UInt8(long >> 24), UInt8(long >> 16 & 0xff), UInt8(long >> 8 & 0xff), UInt8(long & 0xff)]
            #expect(checksum.value == InternetChecksum.of(bytes))
        }
    }
}
