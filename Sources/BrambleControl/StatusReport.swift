import BrambleBoot

/// The whole module at a glance: what `bramble status --json` prints, one object.
public struct StatusReport: Codable, Hashable, Sendable {
    /// The daemon's wall clock when it answered (epoch ms): "time in stage" is `now - stageSince`.
    public var now: Int64
    /// Every node of the node map, by ID.
    public var nodes: [NodeStatus]
    /// How many nodes are in each stage; every stage is present, with 0 when empty.
    public var summary: [String: Int]

    public init(now: Int64, nodes: [NodeStatus]) {
        self.now = now
        self.nodes = nodes.sorted { $0.id < $1.id }
        var summary = Dictionary(uniqueKeysWithValues: BootStage.allCases.map { ($0.description, 0) })
        for node in nodes { summary[node.stage.description, default: 0] += 1 }
        self.summary = summary
    }
}
