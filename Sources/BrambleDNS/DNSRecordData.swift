import BrambleWire

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

    /// HINFO "RFC8482" "": the synthesised answer RFC 8482 section 4.2 suggests for ANY.
    public static let rfc8482HostInfo = DNSRecordData.other(
        .hinfo, [7] + Array("RFC8482".utf8) + [0])
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
