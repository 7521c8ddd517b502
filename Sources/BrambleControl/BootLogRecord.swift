import BrambleBoot

/// One boot event of one node, as its log line says it: what `bramble logs` prints and a
/// `follow` subscription streams.
public struct BootLogRecord: Codable, Hashable, Sendable {
    public var nodeID: Int
    public var node: String
    /// Wall-clock milliseconds since the epoch (an operator reads it; docs/architecture.md, "Time").
    public var time: Int64
    /// The node's stage after the event.
    public var stage: String
    /// True when the event is a failure of the boot (its reason is then the node's last error).
    public var failure: Bool
    /// The log line, as written to `logs/NAME.log`.
    public var line: String

    public init(nodeID: Int, node: String, time: Int64, stage: BootStage, failure: Bool, line: String) {
        self.nodeID = nodeID
        self.node = node
        self.time = time
        self.stage = stage.description
        self.failure = failure
        self.line = line
    }
}
