import BrambleWire

/// A DNS resolver that bramble forwards non-cluster names to: `IP` or `IP:PORT` (port 53 when
/// omitted). Addresses only, no names: the hub resolves names through this very setting.
public struct UpstreamServer: Hashable, Sendable, CustomStringConvertible {
    public static let defaultPort: UInt16 = 53

    public let address: IPv4Address
    public let port: UInt16

    public init(address: IPv4Address, port: UInt16 = Self.defaultPort) {
        self.address = address
        self.port = port
    }

    public init(parsing text: String) throws(InvalidConfigValue) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPv4Address(parts[0]) else {
            throw InvalidConfigValue("'\(text)' is not an upstream resolver: write an IPv4 address, optionally with :PORT")
        }
        guard address != .any, address != .broadcast else {
            throw InvalidConfigValue("'\(text)' cannot be a resolver's address")
        }
        var port = Self.defaultPort
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = UInt16(parts[1]), number > 0 else {
                throw InvalidConfigValue("'\(text)' has a bad port: write a number from 1 to 65535 after the ':'")
            }
            port = number
        }
        self.init(address: address, port: port)
    }

    public var description: String { port == Self.defaultPort ? "\(address)" : "\(address):\(port)" }
}
