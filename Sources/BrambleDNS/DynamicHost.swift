import BrambleWire

/// A name the zone learns at run time: a dynamic lease's client host name (DHCP option 12)
/// and the address leased to it.
public struct DynamicHost: Hashable, Sendable {
    /// As the client sent it: untrusted bytes, sanitised before they become a name.
    public var hostname: [UInt8]
    public var address: IPv4Address

    public init(hostname: [UInt8], address: IPv4Address) {
        self.hostname = hostname
        self.address = address
    }

    /// The client's host name as one RFC 1123 label, or nil when nothing usable is left.
    ///
    /// Clients send anything: `Bob's iPhone`, `laptop.home.lan`, UTF-8, NULs. Like dnsmasq,
    /// only the part before the first dot counts (the domain is ours, not the client's);
    /// spaces and underscores become hyphens, other bytes outside letters, digits and `-`
    /// are dropped, hyphens are trimmed from the ends, and the label is cut to 63 bytes.
    /// All-digit results are refused as node names are: they read as node IDs.
    public var sanitisedLabel: [UInt8]? {
        var label: [UInt8] = []
        for byte in hostname.prefix(while: { $0 != UInt8(ascii: ".") && $0 != 0 }) {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                label.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "_"):
                label.append(UInt8(ascii: "-"))
            default:
                continue
            }
        }
        let trimmed = label.drop { $0 == UInt8(ascii: "-") }.reversed().drop { $0 == UInt8(ascii: "-") }.reversed()
        var result = Array(trimmed.prefix(DNSName.maximumLabelLength))
        while result.last == UInt8(ascii: "-") { result.removeLast() }
        guard !result.isEmpty, !result.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return result
    }
}
