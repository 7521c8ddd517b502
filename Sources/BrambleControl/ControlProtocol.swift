/// The control socket's protocol version, which ``ControlRequest/Command/hello`` reports.
///
/// Version 1: `status`, `history`, `reload`, `follow`, `discoveries`. Version 2 adds
/// `hello` and `counters`, and answers an unknown command with an error naming the known
/// ones. Versions only add: a field or command a client does not know it can ignore, and
/// every version-1 request is answered as before (docs/control-protocol.md).
public enum ControlProtocol {
    public static let version = 2
}

/// The answer to `hello`: what a client needs to know before it uses a newer command.
public struct ControlHello: Codable, Hashable, Sendable {
    /// ``ControlProtocol/version`` of the daemon that answered.
    public var protocolVersion: Int
    /// The daemon's release and revision, as `bramble --version` prints it.
    public var version: String
    /// Every command the daemon answers.
    public var commands: [String]

    public init(protocolVersion: Int = ControlProtocol.version, version: String, commands: [String] = ControlRequest.Command.allCases.map(\.rawValue)) {
        self.protocolVersion = protocolVersion
        self.version = version
        self.commands = commands
    }

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol"
        case version, commands
    }
}

/// The control socket's framing: one JSON object per line, both ways.
public enum ControlLine {
    /// Longest line either side accepts. Requests are tiny; a status of 750 nodes is about
    /// 200 KB.
    public static let maximumRequestLength = 4096
    public static let maximumResponseLength = 4 << 20

    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        try JSONText.encode(value) + [UInt8(ascii: "\n")]
    }

    /// Decodes one line (without its newline).
    public static func decode<Value: Decodable>(_ type: Value.Type, from line: some Collection<UInt8>) throws -> Value {
        try JSONText.decode(type, from: line)
    }
}
