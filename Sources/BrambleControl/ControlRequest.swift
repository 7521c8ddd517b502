/// One request to the running daemon over its control socket: one JSON object on one line.
public struct ControlRequest: Codable, Hashable, Sendable {
    public enum Command: String, Codable, Hashable, Sendable, CaseIterable {
        /// The daemon's protocol version, release and commands: answered with ``ControlResponse/hello``.
        /// A client that needs a command newer than protocol 1 asks this first.
        case hello
        /// Every node's stage: answered with ``ControlResponse/status``.
        case status
        /// One node's recent log lines: answered with ``ControlResponse/history``.
        case history
        /// Reread the node map and config, as SIGHUP does: answered with a message or an error.
        case reload
        /// From now on, every new boot event (of ``ControlRequest/node`` when given) as
        /// ``ControlResponse/event`` lines, until the client hangs up.
        case follow
        /// From now on, every DHCP DISCOVER or REQUEST from a MAC outside the node map as
        /// ``ControlResponse/discovery`` lines: what `bramble enroll` binds to IDs.
        case discoveries
        /// The services' and the process's counters now: answered with ``ControlResponse/counters``.
        case counters
    }

    public var command: Command
    /// For `history` and `follow`: a node's ID, name or MAC, as an operator types it.
    public var node: String?

    public init(command: Command, node: String? = nil) {
        self.command = command
        self.node = node
    }

    enum CodingKeys: String, CodingKey {
        case command, node
    }

    /// Like the synthesized decoder, except that a command this daemon does not know is an
    /// ``UnknownControlCommand`` naming the ones it does, so a newer client talking to an
    /// older daemon is told what to fall back to. Keys it does not know are ignored: a
    /// newer client's extra fields reach an older daemon harmlessly.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .command)
        guard let command = Command(rawValue: name) else { throw UnknownControlCommand(name: name) }
        self.init(command: command, node: try container.decodeIfPresent(String.self, forKey: .node))
    }
}

/// A request whose `command` the daemon does not know (a newer client, or a typo).
public struct UnknownControlCommand: Error, Hashable, Sendable, CustomStringConvertible {
    /// The command as sent, cut to ``maximumEchoedLength`` characters.
    public var name: String

    /// How much of an unknown command's name the error repeats: a request line is at most 4 KB.
    public static let maximumEchoedLength = 64

    public init(name: String) {
        self.name = String(name.prefix(Self.maximumEchoedLength))
    }

    public var description: String {
        "unknown command \"\(name)\": protocol \(ControlProtocol.version) knows "
            + ControlRequest.Command.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
