/// The common shape of a query, read in place from the bytes as received: one question
/// with an uncompressed name, no answer or authority records, at most an OPT record of
/// version 0. Nothing is copied, so the answer path for such queries allocates nothing.
///
/// Anything else (several questions, compression in a query, other additional records,
/// EDNS versions above 0, malformed bytes) is not a view: the full decoder handles it and
/// reports what is wrong.
public struct DNSQueryView: Sendable {
    public let id: UInt16
    /// The query's RD and CD bits where a response keeps them (byte 2 bit 0, byte 3 bit 4).
    let recursionDesired: Bool
    let checkingDisabled: Bool
    /// AD in a query: the client understands it (RFC 6840 section 5.7).
    let authenticDataWanted: Bool
    /// Where the question's name lies, relative to the bytes' start index: offset 12 up to
    /// and including the root byte.
    let nameEnd: Int
    public let type: DNSRecordType
    public let recordClass: DNSClass
    /// The OPT record's payload size and DO bit; nil without one.
    let edns: (payloadSize: UInt16, dnssecOK: Bool)?

    static let nameStart = DNSMessage.headerLength

    /// Nil unless the bytes are a query of the common shape above.
    public init?(_ bytes: ArraySlice<UInt8>) {
        let base = bytes.startIndex
        guard bytes.count >= DNSMessage.headerLength + 5 else { return nil }
        let flags = bytes[base + 2]
        // QR clear and opcode 0 (QUERY); TC in a query is meaningless and left to the decoder.
        guard flags & 0xfa == 0 else { return nil }
        guard bytes[base + 4] == 0, bytes[base + 5] == 1, bytes[base + 6] == 0, bytes[base + 7] == 0,
              bytes[base + 8] == 0, bytes[base + 9] == 0, bytes[base + 10] == 0, bytes[base + 11] <= 1
        else { return nil }
        var position = Self.nameStart
        while true {
            guard position < bytes.count else { return nil }
            let length = Int(bytes[base + position])
            if length == 0 { break }
            guard length <= DNSName.maximumLabelLength else { return nil }
            position += length + 1
        }
        nameEnd = position + 1
        guard nameEnd - Self.nameStart <= DNSName.maximumWireLength, nameEnd + 4 <= bytes.count else { return nil }
        id = UInt16(bytes[base]) << 8 | UInt16(bytes[base + 1])
        recursionDesired = flags & 0x01 != 0
        checkingDisabled = bytes[base + 3] & 0x10 != 0
        authenticDataWanted = bytes[base + 3] & 0x20 != 0
        type = DNSRecordType(rawValue: UInt16(bytes[base + nameEnd]) << 8 | UInt16(bytes[base + nameEnd + 1]))
        recordClass = DNSClass(rawValue: UInt16(bytes[base + nameEnd + 2]) << 8 | UInt16(bytes[base + nameEnd + 3]))
        guard bytes[base + 11] == 1 else {
            edns = nil
            return
        }
        // OPT: root name, TYPE 41, CLASS = payload size, TTL = extended RCODE, version, flags.
        let opt = nameEnd + 4
        guard opt + 11 <= bytes.count, bytes[base + opt] == 0,
              bytes[base + opt + 1] == 0, bytes[base + opt + 2] == UInt8(DNSRecordType.opt.rawValue),
              bytes[base + opt + 6] == 0
        else { return nil }
        let dataLength = Int(bytes[base + opt + 9]) << 8 | Int(bytes[base + opt + 10])
        guard opt + 11 + dataLength <= bytes.count else { return nil }
        edns = (UInt16(bytes[base + opt + 3]) << 8 | UInt16(bytes[base + opt + 4]), bytes[base + opt + 7] & 0x80 != 0)
    }

    /// As ``DNSMessage/maximumResponseSize(overTCP:)`` for the decoded query.
    public func maximumResponseSize(overTCP: Bool) -> Int {
        if overTCP { return DNSMessage.maximumTCPSize }
        guard let edns else { return DNSMessage.classicUDPSize }
        return min(max(Int(edns.payloadSize), DNSMessage.classicUDPSize), Int(DNSEDNS.advertisedPayloadSize))
    }

    /// DO, as the cache keys answers.
    var dnssecOK: Bool { edns?.dnssecOK ?? false }

    /// The question's name bytes, case as received.
    func name(in bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes[(bytes.startIndex + Self.nameStart)..<(bytes.startIndex + nameEnd)]
    }

    /// How many labels the name has.
    func labelCount(in bytes: ArraySlice<UInt8>) -> Int {
        var count = 0
        var index = bytes.startIndex + Self.nameStart
        while bytes[index] != 0 {
            count += 1
            index += Int(bytes[index]) + 1
        }
        return count
    }

    /// Whether the name is `ancestor` or below it, compared without regard to ASCII case.
    func name(in bytes: ArraySlice<UInt8>, isSubdomainOf ancestor: DNSName) -> Bool {
        let name = self.name(in: bytes)
        let offset = name.count - ancestor.wire.count
        guard offset >= 0 else { return false }
        var index = 0
        while index < offset { index += Int(name[name.startIndex + index]) + 1 }
        return index == offset && DNSName.equalIgnoringASCIICase(name[(name.startIndex + offset)...], ancestor.wire[...])
    }
}
