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

    /// Fits the 4-bit header field without an OPT record.
    public var needsEDNS: Bool { rawValue > 0xf }

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
