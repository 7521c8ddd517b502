/// An interface address with its prefix, `10.42.0.250/24`: the hub's own address and the
/// cluster subnet in one value, because every node address is derived from both.
public struct IPv4Interface: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefixLength: Int

    public init?(address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `A.B.C.D/N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]),
              parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let prefix = Int(parts[1])
        else { return nil }
        self.init(address: address, prefixLength: prefix)
    }

    public var subnet: IPv4Subnet { IPv4Subnet(containing: address, prefixLength: prefixLength) }
    public var description: String { "\(address)/\(prefixLength)" }
}

/// A network: base address and prefix length, with the base's host bits clear.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public let base: IPv4Address
    public let prefixLength: Int

    public init(containing address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "prefix length \(prefixLength) is not 0-32")
        self.prefixLength = prefixLength
        base = IPv4Address(address.value & Self.mask(prefixLength))
    }

    public var mask: IPv4Address { IPv4Address(Self.mask(prefixLength)) }
    public var broadcast: IPv4Address { IPv4Address(base.value | ~Self.mask(prefixLength)) }

    /// The highest host number: 254 for a /24. Host numbers are what the node map calls IDs.
    public var maxHostNumber: UInt32 { prefixLength >= 31 ? 0 : ~Self.mask(prefixLength) - 1 }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == base.value
    }

    /// The address of host number `n` (node ID `n`), or nil if it is not a usable host address.
    public func host(_ n: Int) -> IPv4Address? {
        guard n >= 1, UInt64(n) <= UInt64(maxHostNumber) else { return nil }
        return IPv4Address(base.value + UInt32(n))
    }

    /// The host number of an address inside this subnet, or nil.
    public func hostNumber(of address: IPv4Address) -> Int? {
        guard contains(address) else { return nil }
        let n = address.value - base.value
        guard n >= 1, n <= maxHostNumber else { return nil }
        return Int(n)
    }

    public var description: String { "\(base)/\(prefixLength)" }

    private static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }
}
