import BrambleWire

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
        return try? response.encoded(limit: headerLength)
    }
}

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

/// One entry of the question section. Equality ignores the name's case (``DNSName``), which
/// is how answers are matched to questions; comparing ``DNSName/wire`` tells cases apart.
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    public var name: DNSName
    public var type: DNSRecordType
    public var recordClass: DNSClass

    public init(name: DNSName, type: DNSRecordType, recordClass: DNSClass = .internet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }

    public var description: String { "\(name) \(recordClass) \(type)" }
}

/// One resource record of the answer, authority or additional section. The OPT
/// pseudo-record is not one of these: it is ``DNSMessage/edns``.
public struct DNSResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var recordClass: DNSClass
    /// Seconds. RFC 2181 section 8: values with the top bit set are read as 0.
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, recordClass: DNSClass = .internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSRecordType { data.type }
}

/// A record's RDATA, which also determines its TYPE, so type and data cannot disagree.
///
/// The types whose RDATA holds names that may be compressed (RFC 3597 section 4: NS,
/// CNAME, SOA, PTR, MX) are decoded, because a compression pointer means nothing outside
/// the message it came in, and forwarded answers are re-encoded into a new message. Every
/// other type (AAAA, TXT, SRV, DNSSEC ...) stays raw bytes and round-trips untouched.
public enum DNSRecordData: Hashable, Sendable {
    case a(IPv4Address)
    case ns(DNSName)
    case cname(DNSName)
    case ptr(DNSName)
    case soa(DNSStartOfAuthority)
    case mx(preference: UInt16, exchange: DNSName)
    /// Any other type, RDATA as received. Decoding never produces this for the types above.
    case other(DNSRecordType, [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .soa: .soa
        case .mx: .mx
        case .other(let type, _): type
        }
    }
}

/// A resource record TYPE (or QTYPE). An open set: forwarded answers carry types this
/// server has never heard of, and they must pass through unchanged.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = Self(rawValue: 1)
    public static let ns = Self(rawValue: 2)
    public static let cname = Self(rawValue: 5)
    public static let soa = Self(rawValue: 6)
    public static let ptr = Self(rawValue: 12)
    public static let mx = Self(rawValue: 15)
    public static let txt = Self(rawValue: 16)
    public static let aaaa = Self(rawValue: 28)
    public static let srv = Self(rawValue: 33)
    public static let opt = Self(rawValue: 41)
    /// DNSSEC's delegation signer and zone key (RFC 4034): what a validating resolver asks
    /// about every zone on its way down, top-level domains included.
    public static let ds = Self(rawValue: 43)
    public static let dnskey = Self(rawValue: 48)
    /// QTYPE only: zone transfers, which this server does not offer.
    public static let axfr = Self(rawValue: 252)
    /// QTYPE `*`, answered minimally (RFC 8482).
    public static let any = Self(rawValue: 255)

    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .opt: "OPT"
        case .ds: "DS"
        case .dnskey: "DNSKEY"
        case .axfr: "AXFR"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// A record CLASS (or QCLASS). Only IN is served; others are forwarded or refused.
public struct DNSClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let internet = Self(rawValue: 1)
    public static let chaos = Self(rawValue: 3)
    /// QCLASS `*`.
    public static let any = Self(rawValue: 255)

    public var description: String {
        switch self {
        case .internet: "IN"
        case .chaos: "CH"
        case .any: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}

/// RCODE, with EDNS0's extension (RFC 6891 section 6.1.3): 12 bits, of which the header
/// holds the low 4 and the OPT record the high 8. Kept whole here; the codec splits it.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0fff }

    public static let noError = Self(rawValue: 0)
    public static let formatError = Self(rawValue: 1)
    public static let serverFailure = Self(rawValue: 2)
    public static let nameError = Self(rawValue: 3)
    public static let notImplemented = Self(rawValue: 4)
    public static let refused = Self(rawValue: 5)
    /// RFC 6891: the query's EDNS version is higher than this server speaks (0).
    public static let badVersion = Self(rawValue: 16)

    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formatError: "FORMERR"
        case .serverFailure: "SERVFAIL"
        case .nameError: "NXDOMAIN"
        case .notImplemented: "NOTIMP"
        case .refused: "REFUSED"
        case .badVersion: "BADVERS"
        default: "RCODE\(rawValue)"
        }
    }
}

/// The EDNS0 OPT pseudo-record of a message (RFC 6891), without the extended RCODE bits,
/// which live in ``DNSMessage/responseCode``.
public struct DNSEDNS: Hashable, Sendable {
    /// What this server advertises and the most it sends over UDP: the DNS flag day 2020
    /// value, which fits any path's MTU without IP fragmentation.
    public static let advertisedPayloadSize: UInt16 = 1232

    /// The largest UDP payload the sender can receive (the OPT record's CLASS).
    public var udpPayloadSize: UInt16
    public var version: UInt8
    /// DO: the sender wants DNSSEC records (RFC 3225).
    public var dnssecOK: Bool
    /// The options (code, length, value ...) as received; none are interpreted.
    public var options: [UInt8]

    public init(udpPayloadSize: UInt16 = DNSEDNS.advertisedPayloadSize, version: UInt8 = 0, dnssecOK: Bool = false, options: [UInt8] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }
}

/// SOA RDATA (RFC 1035 section 3.3.13). ``minimum`` is the negative-caching TTL
/// (RFC 2308 section 4).
public struct DNSStartOfAuthority: Hashable, Sendable {
    public var primaryServer: DNSName
    public var responsibleMailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        primaryServer: DNSName, responsibleMailbox: DNSName, serial: UInt32,
        refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32
    ) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
