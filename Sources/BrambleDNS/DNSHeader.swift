/// The header's ID and flag bits (RFC 1035 section 4.1.1, RFC 4035 for AD and CD).
///
/// Section counts are not here: the encoder derives them from the sections, so a value can
/// never carry counts that lie. The RCODE is ``DNSMessage/responseCode``, because with
/// EDNS0 it spans the header and the OPT record.
public struct DNSHeader: Hashable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    /// 0 is a standard query, the only kind served.
    public var opcode: UInt8
    public var isAuthoritative: Bool
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var authenticData: Bool
    public var checkingDisabled: Bool

    public static let standardQueryOpcode: UInt8 = 0

    public init(
        id: UInt16, isResponse: Bool = false, opcode: UInt8 = DNSHeader.standardQueryOpcode,
        isAuthoritative: Bool = false, isTruncated: Bool = false, recursionDesired: Bool = false,
        recursionAvailable: Bool = false, authenticData: Bool = false, checkingDisabled: Bool = false
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode & 0xf
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
    }

    /// The second 16-bit word, with the low RCODE bits given.
    func flagWord(responseCodeLowBits: UInt16) -> UInt16 {
        var word = UInt16(opcode & 0xf) << 11 | responseCodeLowBits & 0xf
        if isResponse { word |= 0x8000 }
        if isAuthoritative { word |= 0x0400 }
        if isTruncated { word |= 0x0200 }
        if recursionDesired { word |= 0x0100 }
        if recursionAvailable { word |= 0x0080 }
        if authenticData { word |= 0x0020 }
        if checkingDisabled { word |= 0x0010 }
        return word
    }

    init(id: UInt16, flagWord word: UInt16) {
        self.init(
            id: id, isResponse: word & 0x8000 != 0, opcode: UInt8(word >> 11 & 0xf),
            isAuthoritative: word & 0x0400 != 0, isTruncated: word & 0x0200 != 0,
            recursionDesired: word & 0x0100 != 0, recursionAvailable: word & 0x0080 != 0,
            authenticData: word & 0x0020 != 0, checkingDisabled: word & 0x0010 != 0)
    }
}
