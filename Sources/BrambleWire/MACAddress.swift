/// A 48-bit Ethernet hardware address.
///
/// Stored as six octets in wire order so frames and DHCP `chaddr` fields copy it without
/// conversion. Text form is lowercase, colon-separated: the form dnsmasq, `ip link` and the
/// BitScope node sheet all print.
public struct MACAddress: Hashable, Sendable, Comparable {
    public let octets: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        octets = (a, b, c, d, e, f)
    }

    /// Builds an address from exactly six bytes; any other count is not an address.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 6 else { return nil }
        var i = bytes.startIndex
        func next() -> UInt8 {
            defer { i = bytes.index(after: i) }
            return bytes[i]
        }
        self.init(next(), next(), next(), next(), next(), next())
    }

    public var bytes: [UInt8] { [octets.0, octets.1, octets.2, octets.3, octets.4, octets.5] }

    /// The first three octets: the IEEE organisationally unique identifier (vendor).
    public var oui: (UInt8, UInt8, UInt8) { (octets.0, octets.1, octets.2) }

    /// The I/G bit: set on group (multicast) addresses, which no single machine owns.
    public var isMulticast: Bool { octets.0 & 0x01 != 0 }
    public var isBroadcast: Bool { self == .broadcast }
    public var isZero: Bool { self == MACAddress(0, 0, 0, 0, 0, 0) }

    /// Whether a DHCP client could have this address: unicast and not all zeros.
    public var isAssignable: Bool { !isMulticast && !isZero }

    public static let broadcast = MACAddress(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)

    /// Field by field: comparing ``bytes`` would build two arrays, and the DHCP path compares
    /// MACs several times per request.
    public static func == (lhs: MACAddress, rhs: MACAddress) -> Bool {
        lhs.octets.0 == rhs.octets.0 && lhs.octets.1 == rhs.octets.1 && lhs.octets.2 == rhs.octets.2
            && lhs.octets.3 == rhs.octets.3 && lhs.octets.4 == rhs.octets.4 && lhs.octets.5 == rhs.octets.5
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(octets.0); hasher.combine(octets.1); hasher.combine(octets.2)
        hasher.combine(octets.3); hasher.combine(octets.4); hasher.combine(octets.5)
    }
    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

extension MACAddress: CustomStringConvertible, LosslessStringConvertible {
    public var description: String { formatted(separator: ":") }

    /// The address with another separator, e.g. `-` for the Pi 4 bootloader's MAC-style TFTP prefix.
    public func formatted(separator: String) -> String {
        bytes.map(hexByte).joined(separator: separator)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff`, either case; one-digit octets
    /// (`b8:27:eb:1:2:3`, as some tools print) are accepted too.
    public init?(_ text: String) {
        guard let parsed = try? MACAddress(parsing: text) else { return nil }
        self = parsed
    }

    /// Parses like ``init(_:)`` but says what is wrong, for messages that name the line.
    public init(parsing text: Substring) throws(MACAddressParseError) {
        let separator: UInt8 = text.utf8.contains(UInt8(ascii: "-")) ? UInt8(ascii: "-") : UInt8(ascii: ":")
        var values: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        var octetCount = 0
        var partStart = text.utf8.startIndex
        var index = partStart
        func finishPart(_ end: String.Index) throws(MACAddressParseError) {
            let part = text.utf8[partStart..<end]
            guard (1...2).contains(part.count), let value = Self.hexValue(part) else {
                throw .badOctet(String(text[partStart..<end]))
            }
            switch octetCount {
            case 0: values.0 = value
            case 1: values.1 = value
            case 2: values.2 = value
            case 3: values.3 = value
            case 4: values.4 = value
            default: values.5 = value
            }
        }
        while index < text.utf8.endIndex {
            if text.utf8[index] == separator {
                octetCount += 1
                partStart = text.utf8.index(after: index)
            }
            index = text.utf8.index(after: index)
        }
        guard octetCount == 5 else { throw .wrongOctetCount(octetCount + 1) }
        octetCount = 0
        partStart = text.utf8.startIndex
        index = partStart
        while index < text.utf8.endIndex {
            if text.utf8[index] == separator {
                try finishPart(index)
                octetCount += 1
                partStart = text.utf8.index(after: index)
            }
            index = text.utf8.index(after: index)
        }
        try finishPart(text.utf8.endIndex)
        octets = values
    }

    private static func hexValue(_ digits: Substring.UTF8View.SubSequence) -> UInt8? {
        var value: UInt8 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    public init(parsing text: String) throws(MACAddressParseError) {
        try self.init(parsing: text[...])
    }
}

/// Why a string is not a MAC address.
public enum MACAddressParseError: Error, Equatable, CustomStringConvertible, Sendable {
    case wrongOctetCount(Int)
    case badOctet(String)

    public var description: String {
        switch self {
        case .wrongOctetCount(let n): "a MAC address has 6 octets separated by ':' (found \(n))"
        case .badOctet(let octet): "'\(octet)' is not a hexadecimal octet (00-ff)"
        }
    }
}

@inline(__always)
func hexByte(_ byte: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}
