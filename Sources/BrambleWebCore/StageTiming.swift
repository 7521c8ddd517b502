import BrambleBoot
import BrambleControl

/// How long each boot stage normally takes on this module, learnt from the boot events the
/// daemon streams, so the dashboard can say which node has stopped making progress.
///
/// A node is stalled when it has been in a stage longer than ``limit(for:)``: three times
/// the median of the stage's recent durations on this module, but never less than a floor
/// per stage that covers a healthy Pi (the 3B's ROM retries DHCP for several seconds, a
/// kernel over NFS takes tens of seconds to ask again). `waiting` and `up` never stall: they
/// are the ends of a boot. Pure: events and times in, limits out.
public struct StageTiming: Sendable {
    /// Durations kept per stage: enough for a stable median, bounded whatever the stream.
    static let samplesPerStage = 64
    /// A stage lasts this long at least before a node in it counts as stalled (ms).
    public static let floors: [BootStage: Int64] = [
        .romDHCP: 15_000, .addressed: 15_000, .firmware: 20_000, .loader: 30_000, .kernel: 60_000, .kernelDHCP: 90_000,
    ]
    static let medianFactor: Int64 = 3

    private var samples: [BootStage: [Int64]] = [:]
    /// Per node: the stage it was last seen in and since when.
    private var current: [Int: (stage: BootStage, since: Int64)] = [:]
    /// Nodes remembered at most: the node map's size bounds it in practice, this bounds it
    /// against a daemon that invents IDs.
    static let maximumNodes = 4096

    public init() {}

    /// One boot event from the daemon: a change of stage ends the previous stage's span.
    public mutating func record(_ event: BootLogRecord) {
        guard let stage = BootStage.allCases.first(where: { $0.description == event.stage }) else { return }
        guard let previous = current[event.nodeID] else {
            if current.count < Self.maximumNodes { current[event.nodeID] = (stage, event.time) }
            return
        }
        guard previous.stage != stage else { return }
        let (spent, overflow) = event.time.subtractingReportingOverflow(previous.since)
        if stage > previous.stage, !overflow, spent >= 0, Self.floors[previous.stage] != nil {
            samples[previous.stage, default: []].append(spent)
            if let count = samples[previous.stage]?.count, count > Self.samplesPerStage {
                samples[previous.stage]?.removeFirst(count - Self.samplesPerStage)
            }
        }
        current[event.nodeID] = (stage, event.time)
    }

    /// The longest a node may stay in `stage` before it counts as stalled; nil for the
    /// stages that never stall.
    public func limit(for stage: BootStage) -> Int64? {
        guard let floor = Self.floors[stage] else { return nil }
        guard let spans = samples[stage], !spans.isEmpty else { return floor }
        let sorted = spans.sorted()
        let median = sorted[sorted.count / 2]
        return max(floor, median.multipliedReportingOverflow(by: Self.medianFactor).overflow ? Int64.max : median * Self.medianFactor)
    }

    /// Whether a node in `stage` since `since` has stalled at `now`.
    public func isStalled(stage: BootStage, since: Int64?, now: Int64) -> Bool {
        guard let limit = limit(for: stage), let since else { return false }
        let (spent, overflow) = now.subtractingReportingOverflow(since)
        return !overflow && spent > limit
    }
}
