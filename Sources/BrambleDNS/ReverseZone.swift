import BrambleWire

/// The in-addr.arpa zone for the cluster subnet (RFC 1035 section 3.5).
///
/// Reverse zones are cut at octet boundaries, so the apex is the zone of the octets the
/// subnet's prefix fully covers: `0.42.10.in-addr.arpa` for 10.42.0.0/24, and also for a
/// /25 or /28 inside it; `42.10.in-addr.arpa` for a /16 or a /20. When the prefix is a
/// multiple of 8 the subnet and the apex cover the same addresses and the whole zone is
/// ours. Otherwise only the names for the subnet's own addresses (and the partial names
/// above them) are: the rest of that apex belongs to whoever owns those other addresses.
struct ReverseZone: Sendable {
    let apex: DNSName
    let subnet: IPv4Subnet
    /// Octets of the address named by the apex: 3 for `0.42.10.in-addr.arpa`.
    let apexOctets: Int
    private let apexLabelCount: Int

    init(subnet: IPv4Subnet) {
        self.subnet = subnet
        apexOctets = min(3, max(1, subnet.prefixLength / 8))
        let octets = subnet.base.bytes.prefix(apexOctets).reversed().map { Array(String($0).utf8) }
        // At most 3 labels of at most 3 bytes and 2 fixed ones: always a valid name.
        apex = try! DNSName(labels: octets + [Array("in-addr".utf8), Array("arpa".utf8)])
        apexLabelCount = apex.labelCount
    }

    /// The subnet is exactly the apex's address range.
    var coversWholeApex: Bool { subnet.prefixLength == apexOctets * 8 }

    /// A name below the apex as the address range it names.
    enum Position: Hashable {
        case apex
        case address(IPv4Address)
        /// `octets` leading octets known (more than the apex's, fewer than 4), the rest zero.
        case partial(IPv4Address, octets: Int)
        /// Labels that are not decimal octets, or more than four of them.
        case malformed
    }

    /// Where a name lies in this zone, or nil when it is not under the apex. Reads the
    /// labels in place: no allocation.
    func position(of name: DNSName) -> Position? {
        guard name.isSubdomain(of: apex) else { return nil }
        let below = name.labelCount - apexLabelCount
        if below == 0 { return .apex }
        let octetCount = apexOctets + below
        guard octetCount <= 4 else { return .malformed }
        var value = subnet.base.value & Self.mask(octets: apexOctets)
        let wire = name.wire
        var index = 0
        for labelIndex in 0..<below {
            let length = Int(wire[index])
            guard let octet = Self.octet(wire[(index + 1)...(index + length)]) else { return .malformed }
            let octetPosition = octetCount - 1 - labelIndex
            value |= UInt32(octet) << UInt32(8 * (3 - octetPosition))
            index += length + 1
        }
        let address = IPv4Address(value)
        return octetCount == 4 ? .address(address) : .partial(address, octets: octetCount)
    }

    /// Whether the answer for a name at this position is ours to give.
    func isAuthoritative(for position: Position) -> Bool {
        if coversWholeApex { return true }
        switch position {
        case .apex, .malformed: return false
        case .address(let address): return subnet.contains(address)
        case .partial(let address, let octets):
            let last = address.value | ~Self.mask(octets: octets)
            return address.value <= subnet.broadcast.value && subnet.base.value <= last
        }
    }

    /// The partial names between the apex and `address` (for a /16 apex and 10.42.3.7,
    /// `3.42.10.in-addr.arpa`): names that own no record but exist because a PTR lies
    /// below them.
    func partialNames(above address: IPv4Address) -> [Position] {
        guard apexOctets + 1 <= 3 else { return [] }
        return ((apexOctets + 1)...3).map { .partial(IPv4Address(address.value & Self.mask(octets: $0)), octets: $0) }
    }

    private static func mask(octets: Int) -> UInt32 {
        octets == 0 ? 0 : UInt32.max << UInt32(32 - 8 * octets)
    }

    /// A decimal octet as in-addr.arpa writes it: 1-3 digits, no leading zero, at most 255.
    static func octet(_ label: ArraySlice<UInt8>) -> UInt8? {
        guard (1...3).contains(label.count), label.count == 1 || label.first != UInt8(ascii: "0") else { return nil }
        var value = 0
        for byte in label {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }
}

/// The IPv4 reverse zones no public server has answers for (RFC 6303 section 4, and
/// RFC 7793 for 100.64.0.0/10): private, loopback, link-local, documentation and "this
/// network" addresses. A query below one of them that is not the cluster's own is
/// answered NXDOMAIN here and never forwarded, as dnsmasq's `bogus-priv` does: upstream
/// could only say the same, and each such query would tell it about the cluster's
/// addresses and spend a pending slot. Reverse names of public addresses are still
/// forwarded: they have real answers, which a node's ssh, traceroute or logs look up.
enum LocallyServedReverseZones {
    /// (network, prefix length) of each block.
    static let blocks: [(network: UInt32, prefixLength: Int)] = [
        (0x0000_0000, 8),   // 0.0.0.0/8, "this network"
        (0x0a00_0000, 8),   // 10.0.0.0/8, RFC 1918
        (0x6440_0000, 10),  // 100.64.0.0/10, shared address space
        (0x7f00_0000, 8),   // 127.0.0.0/8, loopback
        (0xa9fe_0000, 16),  // 169.254.0.0/16, link-local
        (0xac10_0000, 12),  // 172.16.0.0/12, RFC 1918
        (0xc000_0200, 24),  // 192.0.2.0/24, TEST-NET-1
        (0xc0a8_0000, 16),  // 192.168.0.0/16, RFC 1918
        (0xc633_6400, 24),  // 198.51.100.0/24, TEST-NET-2
        (0xcb00_7100, 24),  // 203.0.113.0/24, TEST-NET-3
        (0xffff_ffff, 32),  // 255.255.255.255, broadcast
    ]

    static let inAddrArpa = DNSName(uncheckedWire: [7] + Array("in-addr".utf8) + [4] + Array("arpa".utf8) + [0])

    /// Whether `name` is at or below a locally served zone: the octets it names, read from
    /// the label after `in-addr.arpa` leftwards until one is not a decimal octet, give an
    /// address range, and that range lies wholly inside one of the ``blocks``.
    /// `172.in-addr.arpa` does not (most of 172/8 is public); `20.172.in-addr.arpa` does.
    static func contains(_ name: DNSName) -> Bool {
        guard name.isSubdomain(of: inAddrArpa) else { return false }
        let octetLabels = name.labels.dropLast(2).reversed().prefix(4)
        var network: UInt32 = 0
        var prefixLength = 0
        for label in octetLabels {
            guard let octet = ReverseZone.octet(label) else { break }
            network |= UInt32(octet) << UInt32(24 - prefixLength)
            prefixLength += 8
        }
        return blocks.contains { block in
            prefixLength >= block.prefixLength
                && network & mask(block.prefixLength) == block.network
        }
    }

    private static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }

}
