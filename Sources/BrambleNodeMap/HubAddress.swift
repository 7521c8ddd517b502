import BrambleWire

extension IPv4Interface {
    /// Parses the hub's `address` setting: a host address with the prefix that defines the
    /// cluster subnet. The checks catch what would otherwise surface as nodes that never get an
    /// address: a missing prefix, a subnet too small for any node, or the subnet's own network
    /// or broadcast address used as the hub's.
    public init(parsingHubAddress text: String) throws(InvalidConfigValue) {
        guard let parsed = IPv4Interface(text) else {
            if let bare = IPv4Address(text) {
                throw InvalidConfigValue("'\(text)' has no prefix length: write it as \(bare)/24 (or the cluster's prefix)")
            }
            throw InvalidConfigValue("'\(text)' is not an address with a prefix length, like 10.42.0.250/24")
        }
        guard parsed.prefixLength <= 30 else {
            throw InvalidConfigValue(
                "'\(text)': a /\(parsed.prefixLength) subnet leaves no addresses for nodes; use a prefix of 30 or less, like /24")
        }
        let subnet = parsed.subnet
        guard subnet.hostNumber(of: parsed.address) != nil else {
            let role = parsed.address == subnet.base ? "network" : "broadcast"
            throw InvalidConfigValue(
                "'\(text)': \(parsed.address) is the \(role) address of \(subnet), not a host address the hub can use")
        }
        self = parsed
    }
}
