/// A domain name as DNS carries it: labels of raw bytes, compared case-insensitively
/// (ASCII only, RFC 4343) but kept in the case they arrived in, because answers must echo
/// the question's case.
///
/// Stored as its uncompressed wire form (`[len] bytes ... 0`) in one array: a name costs one
/// allocation, its wire form is ready for the encoder, and every suffix of the name is a
/// suffix of the array, which is what name compression compares.
public struct DNSName: Hashable, Sendable {
    /// RFC 1035 section 2.3.4.
    public static let maximumLabelLength = 63
    /// RFC 1035 section 2.3.4: the wire form, length bytes and root included.
    public static let maximumWireLength = 255

    public static let root = DNSName(uncheckedWire: [0])

    /// Uncompressed wire form, ending with the root's zero byte.
    public let wire: [UInt8]

    /// Callers guarantee `wire` is a well-formed name within the limits.
    init(uncheckedWire wire: [UInt8]) { self.wire = wire }

    /// Builds a name from labels (leftmost first, root excluded).
    public init<Labels: Sequence>(labels: Labels) throws(DNSNameError) where Labels.Element: Collection, Labels.Element.Element == UInt8 {
        var wire: [UInt8] = []
        for label in labels {
            guard !label.isEmpty else { throw .emptyLabel }
            guard label.count <= Self.maximumLabelLength else { throw .labelTooLong(length: label.count) }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= Self.maximumWireLength else { throw .nameTooLong(wireLength: wire.count) }
        self.wire = wire
    }

    /// Parses dotted text (`node01.cluster`, a trailing dot optional; `.` is the root).
    /// No escapes: names here come from configuration and node maps, not zone files.
    public init(parsing text: String) throws(DNSNameError) {
        var utf8 = Substring(text).utf8[...]
        if utf8.last == UInt8(ascii: "."), utf8.count > 1 { utf8 = utf8.dropLast() }
        if utf8.elementsEqual([UInt8(ascii: ".")]) {
            self = .root
            return
        }
        try self.init(labels: utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false))
    }

    /// Leftmost first, root excluded.
    public var labels: [ArraySlice<UInt8>] {
        var labels: [ArraySlice<UInt8>] = []
        var index = 0
        while wire[index] != 0 {
            let length = Int(wire[index])
            labels.append(wire[(index + 1)...(index + length)])
            index += length + 1
        }
        return labels
    }

    public var labelCount: Int {
        var count = 0
        var index = 0
        while wire[index] != 0 {
            count += 1
            index += Int(wire[index]) + 1
        }
        return count
    }

    public var isRoot: Bool { wire.count == 1 }

    /// `label.self`: the name one level down.
    public func prepending<Label: Collection>(label: Label) throws(DNSNameError) -> DNSName where Label.Element == UInt8 {
        guard !label.isEmpty else { throw .emptyLabel }
        guard label.count <= Self.maximumLabelLength else { throw .labelTooLong(length: label.count) }
        let length = wire.count + label.count + 1
        guard length <= Self.maximumWireLength else { throw .nameTooLong(wireLength: length) }
        var wire: [UInt8] = []
        wire.reserveCapacity(length)
        wire.append(UInt8(label.count))
        wire.append(contentsOf: label)
        wire.append(contentsOf: self.wire)
        return DNSName(uncheckedWire: wire)
    }

    /// Whether this name is `ancestor` or lies below it. Compares wire tails, so it costs
    /// no allocation: a tail that starts on a label boundary and equals the ancestor's wire
    /// form is exactly that ancestor.
    public func isSubdomain(of ancestor: DNSName) -> Bool {
        let offset = wire.count - ancestor.wire.count
        guard offset >= 0 else { return false }
        var index = 0
        while index < offset { index += Int(wire[index]) + 1 }
        return index == offset && Self.equalIgnoringASCIICase(wire[offset...], ancestor.wire[...])
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        equalIgnoringASCIICase(lhs.wire[...], rhs.wire[...])
    }

    /// Feeds the lowercased bytes eight at a time: the zone hashes every query name, and
    /// one `combine` per byte is most of a lookup's cost.
    public func hash(into hasher: inout Hasher) {
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for byte in wire {
            word |= UInt64(Self.lowercased(byte)) << shift
            shift += 8
            if shift == 64 {
                hasher.combine(word)
                word = 0
                shift = 0
            }
        }
        hasher.combine(word)
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Eight bytes at a time (``lowercased(word:)``): every query's name is compared with
    /// the domain's, and a byte at a time that was a tenth of a cached answer's instructions.
    static func equalIgnoringASCIICase(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { lhs in
            rhs.withUnsafeBytes { rhs in
                var offset = 0
                while offset + 8 <= lhs.count {
                    guard lowercased(word: lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                        == lowercased(word: rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    else { return false }
                    offset += 8
                }
                while offset < lhs.count {
                    guard lowercased(lhs[offset]) == lowercased(rhs[offset]) else { return false }
                    offset += 1
                }
                return true
            }
        }
    }

    /// ``lowercased(_:)`` on the eight bytes of a word at once (SWAR): a byte in `A`...`Z`
    /// gets 0x20 added, every other byte is left as it is. Per byte, with its top bit
    /// cleared, adding 0x3f carries into bit 7 from `A` (0x41) up and adding 0x25 from
    /// one past `Z` (0x5b) up; neither sum passes 0xff, so no byte disturbs the next.
    @inline(__always)
    static func lowercased(word: UInt64) -> UInt64 {
        let low = word & 0x7f7f_7f7f_7f7f_7f7f
        let fromA = low &+ 0x3f3f_3f3f_3f3f_3f3f
        let pastZ = low &+ 0x2525_2525_2525_2525
        let upper = fromA & ~pastZ & ~word & 0x8080_8080_8080_8080
        return word | upper >> 2
    }
}

extension DNSName: CustomStringConvertible {
    /// Dotted text with a trailing dot, as dig prints it; bytes that are not printable
    /// ASCII (or are `.` or `\` inside a label) are escaped as `\DDD` so logs stay readable
    /// and unambiguous.
    public var description: String {
        if isRoot { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"):
                    text += "\\" + String(UnicodeScalar(byte))
                case 0x21...0x7e:
                    text.unicodeScalars.append(UnicodeScalar(byte))
                default:
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            text += "."
        }
        return text
    }
}

/// Why labels do not make a DNS name.
public enum DNSNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyLabel
    case labelTooLong(length: Int)
    case nameTooLong(wireLength: Int)

    public var description: String {
        switch self {
        case .emptyLabel: "a DNS name cannot have an empty label"
        case .labelTooLong(let length): "a DNS label is at most 63 bytes (this one has \(length))"
        case .nameTooLong(let wireLength): "a DNS name is at most 255 bytes on the wire (this one needs \(wireLength))"
        }
    }
}
