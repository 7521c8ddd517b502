import BrambleBMC
import BrambleBMCSerial
import BrambleFiles
import BrambleMetrics
import BrambleNodeMap
import BrambleWebCore
import BrambleWire
import NIOPosix
import ServiceLifecycle

/// Where and how often `bramble web` reads the Edge Rack's BMC (`bmc-poll`, `bmc-device`).
public struct BMCWatchSettings: Sendable, Equatable {
    public var device: String
    public var intervalSeconds: Int
    /// The node map: which bays there are, their names and `bmc=` IDs.
    public var nodesPath: String
    public var subnet: IPv4Subnet

    public init(device: String, intervalSeconds: Int, nodesPath: String, subnet: IPv4Subnet) {
        self.device = device
        self.intervalSeconds = intervalSeconds
        self.nodesPath = nodesPath
        self.subnet = subnet
    }
}

/// Reads every bay's status from the BMC every `intervalSeconds` and hands it to
/// ``DashboardState``: current and fan beside each bay on the page, `bramble_bmc_*` in the
/// metrics. The serial I/O (bounded waits, one short locked session per bay: see
/// ``BMCPoller``) runs on NIO's blocking-work thread pool, never on an event loop.
public struct BMCWatch: Service {
    let settings: BMCWatchSettings
    let state: DashboardState

    public init(settings: BMCWatchSettings, state: DashboardState) {
        self.settings = settings
        self.state = state
    }

    public func run() async throws {
        let settings = settings
        try? await cancelWhenGracefulShutdown {
            var lastProblem: String?
            while !Task.isCancelled {
                let (readings, problem) = (try? await NIOThreadPool.singleton.runIfActive { Self.read(settings) }) ?? ([], nil)
                if problem != lastProblem, let problem { StandardError.write("bramble web: BMC: \(problem)\n") }
                lastProblem = problem
                await state.setBMC(readings)
                try await Task.sleep(for: .seconds(settings.intervalSeconds))
            }
        }
    }

    /// One poll: the bays of the node map as it is now, each read from the BMC; or no
    /// readings and why, when the map cannot be read. Lines the BMC sent that are not a
    /// status are summed up as the problem, logged when it changes, not once per line.
    static func read(_ settings: BMCWatchSettings) -> (readings: [BMCBayReading], problem: String?) {
        let map: NodeMap
        do {
            let bytes = try FileContents.read(settings.nodesPath, limit: 4 << 20)
            map = try NodeMap(parsing: String(decoding: bytes, as: UTF8.self), fileName: settings.nodesPath, subnet: settings.subnet)
        } catch let error as FileAccessError {
            return ([], "cannot read the node map \(settings.nodesPath): \(error.reason)")
        } catch {
            return ([], "the node map is invalid: \(error)")
        }
        let bays = map.nodes.map { node in
            BMCPoller.Bay(id: node.id, name: node.name, bmc: node.settings.bmc.map(BMCID.init) ?? BMCID(bay: node.id) ?? BMCID(0))
        }
        let skipped = UnparsedLines()
        let readings = BMCPoller(device: settings.device).read(bays) { skipped.lines.append($0) }
        guard let first = skipped.lines.first else { return (readings, nil) }
        return (readings, "\(settings.device) sent \(skipped.lines.count) line\(skipped.lines.count == 1 ? "" : "s") that \(skipped.lines.count == 1 ? "is" : "are") not a status, skipped, e.g. \(first)")
    }

    /// What the BMC sent that is not a status line, during one poll on one thread.
    private final class UnparsedLines {
        var lines: [BMCUnparsedLine] = []
    }
}

extension DashboardState {
    /// The BMC's latest readings: beside each bay on the page, and for the metrics.
    public func setBMC(_ readings: [BMCBayReading]) {
        bmcReadings = readings
        setReadings(Dictionary(readings.map { ($0.id, BayReading.bmc($0)) }, uniquingKeysWith: { first, _ in first }))
    }

    /// `bramble_bmc_*` from the last poll, for /metrics (empty when the BMC is not polled).
    public var bmcMetricFamilies: [MetricFamily] { BMCExposition.families(bmcReadings) }
}
