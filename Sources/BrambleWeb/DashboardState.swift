import BrambleBMC
import BrambleControl
import BrambleWebCore
import FoundationEssentials

/// What bramble-web knows of the module: the daemon's last status report, whether the daemon
/// answers now, the stage timing learnt from its events, each bay's extra readings, and
/// the pages following live (server-sent events). Requests read it; ``DaemonWatch`` and the
/// reading sources write it. Every change goes to every follower as one event.
public actor DashboardState {
    /// Pages following at once at most: each holds a connection and a buffer.
    public static let maximumFollowers = 64
    /// Events buffered per follower before the oldest are dropped: a slow page loses
    /// intermediate states, never the latest.
    static let followerBuffer = 64

    private var report: StatusReport?
    private var problem: String? = "connecting to the daemon"
    private var timing = StageTiming()
    private var readings: [Int: [BayReading]] = [:]
    /// The BMC's last poll, for the metrics (BMCWatch writes it, docs/bmc.md).
    var bmcReadings: [BMCBayReading] = []
    private var followers: [Int: AsyncStream<String>.Continuation] = [:]
    private var nextFollower = 0
    private var finished = false

    public init() {}

    /// The page's model now.
    public var model: DashboardModel { DashboardModel(report: report, problem: problem, timing: timing, readings: readings) }

    /// Why the daemon does not answer, nil while it does.
    public var daemonProblem: String? { problem }

    /// A fresh report: the daemon answers.
    public func update(_ report: StatusReport) {
        self.report = report
        problem = nil
        broadcastModel()
    }

    /// The daemon stopped answering: the page says so and keeps the last report.
    public func lost(_ problem: String) {
        guard self.problem != problem else { return }
        self.problem = problem
        broadcastModel()
    }

    /// A boot event: learnt for the stage timing and passed to every page (for its timeline).
    public func record(_ event: BootLogRecord) {
        timing.record(event)
        broadcast(Self.event("log", event))
    }

    /// Readings per node ID from another source (the BMC), replacing the previous ones.
    public func setReadings(_ readings: [Int: [BayReading]]) {
        self.readings = readings
        broadcastModel()
    }

    /// A new follower: its stream starts with the current model; nil when too many follow.
    public func follow() -> (id: Int, events: AsyncStream<String>)? {
        guard !finished, followers.count < Self.maximumFollowers else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(Self.followerBuffer))
        let id = nextFollower
        nextFollower += 1
        followers[id] = continuation
        continuation.yield("retry: 2000\n\n" + Self.event("dashboard", model))
        return (id, stream)
    }

    public func unfollow(_ id: Int) {
        followers.removeValue(forKey: id)?.finish()
    }

    /// Ends every follower's stream, so a shutdown does not wait on open pages.
    public func finishFollowers() {
        finished = true
        for continuation in followers.values { continuation.finish() }
        followers = [:]
    }

    private func broadcastModel() { broadcast(Self.event("dashboard", model)) }

    private func broadcast(_ text: String) {
        for continuation in followers.values { continuation.yield(text) }
    }

    /// One server-sent event (WHATWG HTML, "Server-sent events"): JSON has no raw newline,
    /// so the data is one `data:` line.
    static func event(_ name: String, _ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return "event: \(name)\ndata: \(json)\n\n"
    }
}
