/// How long a DHCP lease lasts. Written as seconds or a number with an `s`, `m`, `h` or `d`
/// suffix (`12h`), like dnsmasq's dhcp-range lease field.
public struct LeaseDuration: Hashable, Sendable, CustomStringConvertible {
    public let seconds: UInt32

    /// Shorter leases have clients renewing every minute and flood the boot logs; dnsmasq
    /// enforces the same floor.
    public static let minimumSeconds: UInt32 = 120
    /// DHCP carries lease times in 32 bits, and 0xffffffff means "infinite" (RFC 2131 §3.3).
    public static let maximumSeconds: UInt32 = .max - 1

    public init(seconds: UInt32) throws(InvalidConfigValue) {
        guard seconds >= Self.minimumSeconds else {
            throw InvalidConfigValue("\(seconds) seconds is shorter than the minimum of 2m: clients would renew constantly")
        }
        guard seconds <= Self.maximumSeconds else {
            throw InvalidConfigValue("\(seconds) seconds is longer than DHCP can carry (at most \(Self.maximumSeconds))")
        }
        self.seconds = seconds
    }

    public init(parsing text: String) throws(InvalidConfigValue) {
        let unitSeconds: UInt64
        var digits = Substring(text)
        switch text.last {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        case "d": unitSeconds = 86400
        default: unitSeconds = 1
        }
        if let last = text.last, !last.isNumber { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw InvalidConfigValue("'\(text)' is not a duration: write seconds, or a number with s, m, h or d, like 12h")
        }
        guard digits.utf8.count <= 10, let count = UInt64(digits),
              case let (total, overflow) = count.multipliedReportingOverflow(by: unitSeconds), !overflow,
              total <= UInt64(Self.maximumSeconds)
        else {
            throw InvalidConfigValue("'\(text)' is longer than DHCP can carry (at most \(Self.maximumSeconds) seconds)")
        }
        try self.init(seconds: UInt32(total))
    }

    /// The largest whole unit: 43200 seconds reads `12h`, 90 reads `90s`.
    public var description: String {
        for (unit, size) in [("d", UInt32(86400)), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
