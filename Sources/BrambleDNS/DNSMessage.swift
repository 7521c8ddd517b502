/// A DNS message (RFC 1035 section 4) with EDNS0 (RFC 6891) lifted out of the additional
/// section into ``edns``.
public struct DNSMessage: Hashable, Sendable {
    public static let headerLength = 12
    /// The UDP limit for clients without EDNS (RFC 1035 section 4.2.1).
    public static let classicUDPSize = 512
    /// The TCP limit: the two-byte length prefix (RFC 1035 section 4.2.2).
    public static let maximumTCPSize = 65535

    public var header: DNSHeader
    public var responseCode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    /// Without the OPT record.
    public var additionals: [DNSResourceRecord]
    public var edns: DNSEDNS?

    public init(
        header: DNSHeader, responseCode: DNSResponseCode = .noError, questions: [DNSQuestion] = [],
        answers: [DNSResourceRecord] = [], authorities: [DNSResourceRecord] = [],
        additionals: [DNSResourceRecord] = [], edns: DNSEDNS? = nil
    ) {
        self.header = header
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// The single question of a standard query; nil for the zero or several that no
    /// server answers (RFC 9619).
    public var question: DNSQuestion? { questions.count == 1 ? questions[0] : nil }

    /// The most bytes an error response from this server takes (FORMERR, REFUSED, NOTIMP,
    /// BADVERS from ``init(responseTo:code:)``, the forwarder's SERVFAIL): the header, at
    /// most one question of at most 255 + 4 bytes, and an OPT record without options.
    /// Within the 512 bytes of any UDP reply, and never much more than the query that
    /// caused it.
    public static let maximumErrorResponseSize = headerLength + DNSName.maximumWireLength + 4 + 11

    /// An empty response to `query` with `code`: same ID, opcode, RD and CD, the question
    /// echoed in its case, and an OPT record when the query had one (RFC 6891 section 7).
    ///
    /// A query with no question or several gets none back, as BIND answers them (FORMERR
    /// with an empty question section; RFC 9619 makes QDCOUNT 1 the only valid count): the
    /// reply never grows with what a client packs into its question section, which could
    /// otherwise be thousands of compressed names that expand to many times the query.
    public init(responseTo query: DNSMessage, code: DNSResponseCode) {
        header = DNSHeader(
            id: query.header.id, isResponse: true, opcode: query.header.opcode,
            recursionDesired: query.header.recursionDesired, checkingDisabled: query.header.checkingDisabled)
        responseCode = code
        questions = query.questions.count == 1 ? query.questions : []
        answers = []
        authorities = []
        additionals = []
        edns = query.edns.map { DNSEDNS(dnssecOK: $0.dnssecOK) }
    }

    /// The most bytes a response to this query may take: the client's EDNS size within
    /// 512...1232 over UDP (more than 1232 would risk fragments), 65535 over TCP.
    public func maximumResponseSize(overTCP: Bool) -> Int {
        if overTCP { return Self.maximumTCPSize }
        guard let edns else { return Self.classicUDPSize }
        return min(max(Int(edns.udpPayloadSize), Self.classicUDPSize), Int(DNSEDNS.advertisedPayloadSize))
    }

    /// A FORMERR reply to bytes that did not decode, when they are at least a query header
    /// (RFC 1035 section 4.1.1): same ID and opcode, no sections. Nil for anything shorter
    /// or that claims to be a response, which are dropped so two servers cannot be made to
    /// answer each other forever.
    public static func formatErrorResponse(toUndecodable bytes: ArraySlice<UInt8>) -> [UInt8]? {
        guard bytes.count >= headerLength else { return nil }
        let start = bytes.startIndex
        guard bytes[start + 2] & 0x80 == 0 else { return nil }
        let query = DNSHeader(id: UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1]), flagWord: UInt16(bytes[start + 2]) << 8)
        let response = DNSMessage(header: DNSHeader(
            id: query.id, isResponse: true, opcode: query.opcode, recursionDesired: query.recursionDesired),
            responseCode: .formatError)
        return try? response.encoded(maximumSize: headerLength)
    }
}
