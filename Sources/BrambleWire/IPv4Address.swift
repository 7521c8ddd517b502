/// An IPv4 address, held as a host-order integer so subnet arithmetic is plain integer math.
public struct IPv4Address: Hashable, Sendable, Comparable {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Reads four bytes in network order; any other count is not an address. Inlinable, so
    /// each caller gets it specialized for its collection (the generic version cost more than
    /// decoding the rest of a DHCP request).
    @inlinable
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 4 else { return nil }
        var value: UInt32 = 0
        for byte in bytes { value = value << 8 | UInt32(byte) }
        self.value = value
    }

    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    public static let any = IPv4Address(0)
    public static let broadcast = IPv4Address(UInt32.max)

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

extension IPv4Address: CustomStringConvertible, LosslessStringConvertible {
    /// Written digit by digit into the string's own storage (at most 15 bytes: a small
    /// string, no allocation): the DHCP path formats the offered address per request.
    public var description: String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            var count = 0
            for shift in [24, 16, 8, 0] as [UInt32] {
                if shift != 24 {
                    buffer[count] = UInt8(ascii: ".")
                    count += 1
                }
                let octet = UInt8(truncatingIfNeeded: value >> shift)
                if octet >= 100 {
                    buffer[count] = UInt8(ascii: "0") + octet / 100
                    count += 1
                }
                if octet >= 10 {
                    buffer[count] = UInt8(ascii: "0") + octet / 10 % 10
                    count += 1
                }
                buffer[count] = UInt8(ascii: "0") + octet % 10
                count += 1
            }
            return count
        }
    }

    /// Parses dotted-quad text strictly: four decimal parts 0-255, no leading zeros
    /// (which some tools read as octal), nothing else.
    public init?(_ text: String) { self.init(text[...]) }

    public init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.utf8.count),
                  part.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  !(part.utf8.count > 1 && part.utf8.first == 0x30),
                  let octet = UInt8(part)
            else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }
}
