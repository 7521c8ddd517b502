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
}
