/// One request to the running daemon over its control socket: one JSON object on one line.
public struct ControlRequest: Codable, Hashable, Sendable {
    public enum Command: String, Codable, Hashable, Sendable {
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
    }

    public var command: Command
    /// For `history` and `follow`: a node's ID, name or MAC, as an operator types it.
    public var node: String?

    public init(command: Command, node: String? = nil) {
        self.command = command
        self.node = node
    }
}
