/// How often `bramble web` reads every bay's current and fan from the Edge Rack's BMC
/// (`bmc-poll`): `off` (the default: a hub without a BMC, or with a serial console on
/// `bmc-device`, must not get `UnLockMe` written to its line), or seconds from 1 to 3600,
/// written `10`, `10s` or `1m`.
public enum BMCPollInterval: Hashable, Sendable, CustomStringConvertible {
    case off
    case every(seconds: Int)

    public init(parsing text: String) throws(InvalidConfigValue) {
        if text == "off" {
            self = .off
            return
        }
        var digits = Substring(text)
        var unit = 1
        if text.hasSuffix("s") {
            digits = digits.dropLast()
        } else if text.hasSuffix("m") {
            digits = digits.dropLast()
            unit = 60
        }
        guard (1...4).contains(digits.utf8.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let count = Int(digits),
              (1...3600).contains(count * unit)
        else {
            throw InvalidConfigValue("'\(text)' is not a poll interval: write off, or 1 to 3600 seconds (10, 10s, 1m)")
        }
        self = .every(seconds: count * unit)
    }

    public var description: String {
        switch self {
        case .off: "off"
        case .every(let seconds): "\(seconds)s"
        }
    }
}
