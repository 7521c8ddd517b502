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
