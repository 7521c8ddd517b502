/// A node's recent boot events, oldest first: the daemon keeps the last few hundred per node
/// in memory; the full record is the node's log file.
public struct NodeHistory: Codable, Hashable, Sendable {
    public var nodeID: Int
    public var node: String
    public var records: [BootLogRecord]

    public init(nodeID: Int, node: String, records: [BootLogRecord]) {
        self.nodeID = nodeID
        self.node = node
        self.records = records
    }
}
