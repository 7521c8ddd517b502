import BrambleWire

/// One problem in a node map, tied to the line it is on.
public struct NodeMapDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let problem: NodeMapProblem

    public init(file: String, line: Int, problem: NodeMapProblem) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    /// `FILE:LINE: reason`, the form editors and `grep -n` users jump to.
    public var description: String { "\(file):\(line): \(problem)" }
}

/// Everything that can be wrong with a node map, each with a message that says how to fix it.
public enum NodeMapProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case badID(String)
    case missingMAC(id: Int)
    case malformedMAC(String, reason: String)
    case multicastMAC(MACAddress)
    case broadcastMAC
    case zeroMAC
    case duplicateMAC(MACAddress, firstLine: Int, firstID: Int)
    case duplicateID(Int, firstLine: Int)
    case duplicateName(String, firstLine: Int, firstID: Int)
    case idOutsideSubnet(Int, subnet: IPv4Subnet)
    case invalidName(String, reason: String)
    case unknownSetting(String)
    case duplicateSetting(String)
    case badSettingValue(key: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .badID(let text):
            "'\(text)' is not a node ID; a line starts with the bay's number, then its MAC (e.g. '5 b8:27:eb:12:34:56')"
        case .missingMAC(let id):
            "node \(id) has no MAC address; write '\(id) MAC' (use b8:27:eb:XX:XX:XX until the Pi is enrolled)"
        case .malformedMAC(let text, let reason):
            "'\(text)' is not a MAC address: \(reason)"
        case .multicastMAC(let mac):
            "\(mac) is a multicast MAC (first octet odd); a node's MAC is unicast"
        case .broadcastMAC:
            "ff:ff:ff:ff:ff:ff is the broadcast address, not a node's MAC"
        case .zeroMAC:
            "00:00:00:00:00:00 is not a node's MAC"
        case .duplicateMAC(let mac, let firstLine, let firstID):
            "MAC \(mac) is already node \(firstID)'s (line \(firstLine)); each Pi appears once"
        case .duplicateID(let id, let firstLine):
            "ID \(id) is already used on line \(firstLine); each bay appears once"
        case .duplicateName(let name, let firstLine, let firstID):
            "name '\(name)' is already node \(firstID)'s (line \(firstLine)); names must be unique"
        case .idOutsideSubnet(let id, let subnet):
            subnet.maxHostNumber == 0
                ? "ID \(id) is outside \(subnet), which has no host addresses"
                : "ID \(id) is outside 1-\(subnet.maxHostNumber): node addresses are \(subnet) + ID"
        case .invalidName(let name, let reason):
            "'\(name)' is not a valid host name (RFC 1123): \(reason)"
        case .unknownSetting(let key):
            "unknown setting '\(key)'; known settings: \(NodeSettingKey.usage)"
        case .duplicateSetting(let key):
            "setting '\(key)' appears twice on this line"
        case .badSettingValue(_, _, let reason):
            reason
        }
    }
}

/// A node map that cannot be used, with every problem found (not just the first).
public struct NodeMapInvalid: Error, Hashable, Sendable, CustomStringConvertible {
    public let diagnostics: [NodeMapDiagnostic]

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
