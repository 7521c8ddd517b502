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
    public static let hinfo = Self(rawValue: 13)
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
        case .hinfo: "HINFO"
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
