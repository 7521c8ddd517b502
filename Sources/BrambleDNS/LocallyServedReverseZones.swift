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
