import BrambleBoot
import BrambleControl

/// What the dashboard draws, as `GET /api/dashboard` and each `dashboard` server-sent event
/// carry it (docs/web.md lists the keys). Built from the daemon's last status report; every
/// key is always present, `null` when there is no value.
public struct DashboardModel: Codable, Hashable, Sendable {
    /// Whether bramble-web reaches the daemon now; when not, `bays` is the last report seen.
    public var daemonReachable: Bool
    /// Why it does not, in words ("no bramble daemon answers on ...").
    public var daemonProblem: String?
    /// The daemon's clock at its last report (epoch ms): time in stage is `now - stageSince`,
    /// counted on from here by the page's own clock.
    public var now: Int64?
    /// `bramble status`'s last line: "48 nodes: 45 up, 3 kernel".
    public var summary: String
    /// Nodes per stage, every stage present.
    public var stages: [String: Int]
    public var layout: RackLayout
    public var bays: [Bay]

    /// One node of the node map, where the rack holds it.
    public struct Bay: Codable, Hashable, Sendable {
        public var id: Int
        public var name: String
        public var ip: String
        public var mac: String?
        public var model: String?
        public var stage: String
        public var stageSince: Int64?
        public var bootMilliseconds: Int64?
        public var reboots: Int
        public var lastError: String?
        /// In a stage longer than it normally takes here (see ``StageTiming``).
        public var stalled: Bool
        /// How long the current stage may last before the node counts as stalled (ms); null
        /// for `waiting` and `up`.
        public var stallAfterMilliseconds: Int64?
        public var position: BayPosition
        /// Further readings of the bay (a BMC's current and fan speed), shown as given.
        public var readings: [BayReading]

        enum CodingKeys: String, CodingKey {
            case id, name, ip, mac, model, stage, stageSince, bootMilliseconds, reboots, lastError, stalled, stallAfterMilliseconds, position, readings
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(ip, forKey: .ip)
            try container.encode(mac, forKey: .mac)
            try container.encode(model, forKey: .model)
            try container.encode(stage, forKey: .stage)
            try container.encode(stageSince, forKey: .stageSince)
            try container.encode(bootMilliseconds, forKey: .bootMilliseconds)
            try container.encode(reboots, forKey: .reboots)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(stalled, forKey: .stalled)
            try container.encode(stallAfterMilliseconds, forKey: .stallAfterMilliseconds)
            try container.encode(position, forKey: .position)
            try container.encode(readings, forKey: .readings)
        }
    }

    enum CodingKeys: String, CodingKey {
        case daemonReachable, daemonProblem, now, summary, stages, layout, bays
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(daemonReachable, forKey: .daemonReachable)
        try container.encode(daemonProblem, forKey: .daemonProblem)
        try container.encode(now, forKey: .now)
        try container.encode(summary, forKey: .summary)
        try container.encode(stages, forKey: .stages)
        try container.encode(layout, forKey: .layout)
        try container.encode(bays, forKey: .bays)
    }

    /// The page for a report (nil before the first one), the stage timing learnt so far and
    /// each bay's extra readings by node ID.
    public init(report: StatusReport?, problem: String?, timing: StageTiming, readings: [Int: [BayReading]] = [:]) {
        daemonReachable = problem == nil
        daemonProblem = problem
        now = report?.now
        summary = report.map(StatusSummary.line) ?? "no status from the daemon yet"
        stages = report?.summary ?? Dictionary(uniqueKeysWithValues: BootStage.allCases.map { ($0.description, 0) })
        let nodes = report?.nodes ?? []
        layout = RackLayout(highestID: nodes.map(\.id).max() ?? 1)
        bays = nodes.map { node in
            Bay(
                id: node.id, name: node.name, ip: node.ip, mac: node.mac, model: node.model, stage: node.stage.description,
                stageSince: node.stageSince, bootMilliseconds: node.bootMilliseconds, reboots: node.reboots, lastError: node.lastError,
                stalled: report.map { timing.isStalled(stage: node.stage, since: node.stageSince, now: $0.now) } ?? false,
                stallAfterMilliseconds: timing.limit(for: node.stage), position: RackLayout.position(of: node.id),
                readings: readings[node.id] ?? [])
        }
    }
}

/// One reading of a bay beside its boot stage, e.g. `{"name": "current", "value": 0.62,
/// "unit": "A"}`: the dashboard shows any list of them, so a new source adds readings
/// without changing the page.
public struct BayReading: Codable, Hashable, Sendable {
    public var name: String
    public var value: Double
    public var unit: String

    public init(name: String, value: Double, unit: String) {
        self.name = name
        self.value = value
        self.unit = unit
    }
}
