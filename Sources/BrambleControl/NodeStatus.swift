import BrambleBoot

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
