import BrambleWire
import Testing

/// `==` compares the six octets field by field (no arrays built): each octet counts.
@Suite struct MACAddressEqualityTests {
    @Test func everyOctetTakesPartInEquality() {
        let base: [UInt8] = [0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56]
        let mac = MACAddress(bytes: base)!
        #expect(mac == MACAddress(bytes: base)!)
        for position in 0..<6 {
            var other = base
            other[position] ^= 0x01
            #expect(mac != MACAddress(bytes: other)!, "octet \(position)")
        }
        #expect(!mac.isZero && !mac.isBroadcast)
        #expect(MACAddress(bytes: [0, 0, 0, 0, 0, 1])!.isZero == false)
        #expect(MACAddress(bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])!.isBroadcast == false)
    }
}
