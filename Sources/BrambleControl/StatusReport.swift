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

/// One node's row of `bramble status --json`. The keys are a contract (the demo reads
/// them): every key is always present, `null` when there is no value.
public struct NodeStatus: Codable, Hashable, Sendable {
    public var id: Int
    public var name: String
    public var ip: String
    public var mac: String?
    public var stage: BootStage
    /// When the current stage was reached (epoch ms).
    public var stageSince: Int64?
    /// The first ROM DHCP of this boot (epoch ms).
    public var bootStarted: Int64?
    /// From the first ROM DHCP to `up`; nil until up.
    public var bootMilliseconds: Int64?
    public var reboots: Int
    public var lastError: String?
    /// The model the node's firmware reported ("Pi 5B 8GB rev 1.0", "CM4 4GB rev 1.1");
    /// nil until it did (a Pi's kernel names none).
    public var model: String?
    /// The node's latest boot event of any kind (epoch ms); nil until it was heard from.
    public var lastSeen: Int64?

    public init(
        id: Int, name: String, ip: String, mac: String?, stage: BootStage, stageSince: Int64?, bootStarted: Int64?,
        bootMilliseconds: Int64?, reboots: Int, lastError: String?, model: String? = nil, lastSeen: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.ip = ip
        self.mac = mac
        self.stage = stage
        self.stageSince = stageSince
        self.bootStarted = bootStarted
        self.bootMilliseconds = bootMilliseconds
        self.reboots = reboots
        self.lastError = lastError
        self.model = model
        self.lastSeen = lastSeen
    }

    /// The row for a node of the map and its timeline (a fresh one for a node not heard from).
    public init(id: Int, name: String, ip: String, mac: String?, timeline: NodeBootTimeline) {
        self.init(
            id: id, name: name, ip: ip, mac: mac, stage: timeline.stage, stageSince: timeline.stageReached,
            bootStarted: timeline.bootStarted, bootMilliseconds: timeline.bootDuration, reboots: timeline.reboots,
            lastError: timeline.lastError, model: timeline.model, lastSeen: timeline.lastSeen)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, ip, mac, stage, stageSince, bootStarted, bootMilliseconds, reboots, lastError, model, lastSeen
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let stageName = try container.decode(String.self, forKey: .stage)
        guard let stage = BootStage.allCases.first(where: { $0.description == stageName }) else {
            throw DecodingError.dataCorruptedError(forKey: .stage, in: container, debugDescription: "unknown stage \(stageName)")
        }
        self.init(
            id: try container.decode(Int.self, forKey: .id), name: try container.decode(String.self, forKey: .name),
            ip: try container.decode(String.self, forKey: .ip), mac: try container.decodeIfPresent(String.self, forKey: .mac),
            stage: stage, stageSince: try container.decodeIfPresent(Int64.self, forKey: .stageSince),
            bootStarted: try container.decodeIfPresent(Int64.self, forKey: .bootStarted),
            bootMilliseconds: try container.decodeIfPresent(Int64.self, forKey: .bootMilliseconds),
            reboots: try container.decode(Int.self, forKey: .reboots), lastError: try container.decodeIfPresent(String.self, forKey: .lastError),
            model: try container.decodeIfPresent(String.self, forKey: .model),
            lastSeen: try container.decodeIfPresent(Int64.self, forKey: .lastSeen))
    }

    /// Writes `null` for absent values instead of leaving the key out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(ip, forKey: .ip)
        try container.encode(mac, forKey: .mac)
        try container.encode(stage.description, forKey: .stage)
        try container.encode(stageSince, forKey: .stageSince)
        try container.encode(bootStarted, forKey: .bootStarted)
        try container.encode(bootMilliseconds, forKey: .bootMilliseconds)
        try container.encode(reboots, forKey: .reboots)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(model, forKey: .model)
        try container.encode(lastSeen, forKey: .lastSeen)
    }
}

/// The words `bramble status` and `bramble web` both show for a module and a node, so a
/// person reading either sees the same summary.
public enum StatusSummary {
    /// "48 nodes: 45 up, 2 kernel, 1 waiting; 1 with an error, 3 reboots"
    public static func line(_ report: StatusReport) -> String {
        let counts = BootStage.allCases.reversed().compactMap { stage -> String? in
            let count = report.summary[stage.description] ?? 0
            return count > 0 ? "\(count) \(stage)" : nil
        }
        var text = "\(report.nodes.count) node\(report.nodes.count == 1 ? "" : "s")"
        if !counts.isEmpty { text += ": " + counts.joined(separator: ", ") }
        let failing = report.nodes.filter { $0.lastError != nil }.count
        let reboots = report.nodes.reduce(0) { $0 + $1.reboots }
        var notes: [String] = []
        if failing > 0 { notes.append("\(failing) with \(failing == 1 ? "an error" : "errors")") }
        if reboots > 0 { notes.append("\(reboots) reboot\(reboots == 1 ? "" : "s")") }
        return notes.isEmpty ? text : text + "; " + notes.joined(separator: ", ")
    }

    /// Milliseconds for people: "850ms", "31.2s", "2m05s", "1h02m".
    public static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 { return "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s" }
        let seconds = milliseconds / 1000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        return "\(seconds / 3600)h\(twoDigits(seconds / 60 % 60))m"
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
