import BrambleWire

/// One comma-separated field of a `dhcp-host` entry, classified the way dnsmasq reads it.
///
/// dnsmasq takes the fields in any order and tells them apart by shape, so the importer does
/// the same; a field that has the shape of a MAC or an address but does not parse is kept as
/// malformed rather than read as a host name, so the reason given is the real one.
enum DnsmasqHostField: Equatable {
    case hardwareAddress(MACAddress)
    /// `06-00:20:e0:3b:13:af`: dnsmasq's ARP-type prefix (hex) naming a non-Ethernet type.
    case otherHardwareType(type: String, text: Substring)
    /// `b8:27:eb:*:*:*`: matches a range of machines.
    case wildcardHardwareAddress(Substring)
    case malformedHardwareAddress(Substring, problem: String)
    /// `id:01:02:03:04` or `id:name`: the client sends this in option 61 instead of being known by MAC.
    case clientID(Substring)
    /// `id:*`: tells dnsmasq to ignore client IDs and use the MAC, which bramble always does.
    case anyClientID
    /// `set:pi4` (or the older `net:pi4`): the entry sets a tag other options match on.
    case setTag(Substring)
    /// `tag:pxe`: the entry applies only when that tag is set.
    case matchTag(Substring)
    case ipv4(IPv4Address)
    /// Digits and dots that are not a dotted quad (`10.42.0.300`, `10.42.0`).
    case malformedIPv4(Substring)
    /// `[fd00::5]`: DHCPv6 addresses, which bramble does not serve.
    case ipv6(Substring)
    /// `infinite`, `3600`, `45m`, `12h`, `1d`, `1w`.
    case leaseTime(Substring)
    case ignore
    case name(Substring)

    /// Classifies a trimmed, non-empty field.
    init(classifying field: Substring) {
        if DnsmasqText.hasPrefix(field, "id:") {
            let clientID = DnsmasqText.droppingPrefix(field, "id:")
            self = clientID == "*" ? .anyClientID : .clientID(clientID)
        } else if DnsmasqText.hasPrefix(field, "set:") {
            self = .setTag(DnsmasqText.droppingPrefix(field, "set:"))
        } else if DnsmasqText.hasPrefix(field, "net:") {
            self = .setTag(DnsmasqText.droppingPrefix(field, "net:"))
        } else if DnsmasqText.hasPrefix(field, "tag:") {
            self = .matchTag(DnsmasqText.droppingPrefix(field, "tag:"))
        } else if DnsmasqText.hasPrefix(field, "[") {
            self = .ipv6(field)
        } else if field == "ignore" {
            self = .ignore
        } else if Self.isLeaseTime(field) {
            self = .leaseTime(field)
        } else if field.utf8.allSatisfy({ DnsmasqText.isDigit($0) || $0 == UInt8(ascii: ".") }) {
            self = IPv4Address(field).map(Self.ipv4) ?? .malformedIPv4(field)
        } else if let hardwareAddress = Self.hardwareAddress(field) {
            self = hardwareAddress
        } else {
            self = .name(field)
        }
    }

    /// dnsmasq's lease-time forms: `infinite`, or digits with an optional unit s, m, h, d, w.
    private static func isLeaseTime(_ field: Substring) -> Bool {
        if field == "infinite" { return true }
        var digits = field.utf8[...]
        if let last = digits.last, "smhdwSMHDW".utf8.contains(last) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy(DnsmasqText.isDigit)
    }

    /// Reads the field as a hardware address when it has the shape of one: anything with a
    /// colon (host names cannot hold one), or six hex groups joined by hyphens. Returns nil
    /// when the field is not shaped like a hardware address at all.
    private static func hardwareAddress(_ field: Substring) -> DnsmasqHostField? {
        var address = field
        var hardwareType: Substring?
        if field.utf8.contains(UInt8(ascii: ":")) {
            let hyphen = field.utf8.firstIndex(of: UInt8(ascii: "-"))
            let colon = field.utf8.firstIndex(of: UInt8(ascii: ":"))
            if let hyphen, let colon, hyphen < colon {
                hardwareType = field[..<hyphen]
                address = field[field.utf8.index(after: hyphen)...]
            }
        } else {
            let groups = DnsmasqText.fields(of: field, separatedBy: UInt8(ascii: "-"))
            let isGroup = { (group: Substring) in
                group == "*" || ((1...2).contains(group.utf8.count) && group.utf8.allSatisfy(DnsmasqText.isHexDigit))
            }
            guard (6...7).contains(groups.count), groups.allSatisfy(isGroup) else { return nil }
            if groups.count == 7, let hyphen = field.utf8.firstIndex(of: UInt8(ascii: "-")) {
                hardwareType = field[..<hyphen]
                address = field[field.utf8.index(after: hyphen)...]
            }
        }
        if let hardwareType {
            let isHex = !hardwareType.isEmpty && hardwareType.utf8.count <= 2
                && hardwareType.utf8.allSatisfy(DnsmasqText.isHexDigit)
            guard isHex else {
                return .malformedHardwareAddress(field, problem: "'\(hardwareType)' is not a hardware type (hex, 1 for Ethernet)")
            }
            if UInt8(hardwareType, radix: 16) != 1 {
                return .otherHardwareType(type: String(hardwareType), text: field)
            }
        }
        if address.utf8.contains(UInt8(ascii: "*")) { return .wildcardHardwareAddress(field) }
        do {
            return .hardwareAddress(try MACAddress(parsing: address))
        } catch {
            return .malformedHardwareAddress(field, problem: error.description)
        }
    }
}
