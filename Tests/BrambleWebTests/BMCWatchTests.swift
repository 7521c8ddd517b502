import BrambleBMC
import BrambleMetrics
import BrambleTestSupport
import BrambleWebCore
import BrambleWire
import Foundation
import Hummingbird
import Testing

@testable import BrambleWeb

/// `bramble web` polling the Edge Rack BMC, simulated on a pty by scripts/lib/fake-bmc.py:
/// each bay's current and fan reach the dashboard's JSON and the `bramble_bmc_*` metrics.
@Suite(.serialized) struct BMCWatchTests {
    /// The simulator, its pty linked as `serial0` in `directory`; killed at the end (it may
    /// have been started with its signals blocked).
    final class SimulatedBMC {
        let directory: String
        let link: String
        let process = Process()

        init(_ arguments: [String]) throws {
            directory = try TemporaryDirectory.make(prefix: "bramble-web")
            link = directory + "/serial0"
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/lib/fake-bmc.py").path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script, "--link", link] + arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            _ = output.fileHandleForReading.availableData
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static let subnet = IPv4Interface("10.42.0.250/24")!.subnet

    /// The simulator with bays 1-8 powered, a node map of them, and the watch's settings.
    static func rack(_ arguments: [String] = ["--on", "1-8"]) throws -> (bmc: SimulatedBMC, settings: BMCWatchSettings) {
        let bmc = try SimulatedBMC(["--nodes", "0-8"] + arguments)
        let nodes = bmc.directory + "/nodes"
        try (1...8).map { "\($0) b8:27:eb:00:00:0\($0)" }.joined(separator: "\n").appending("\n").write(toFile: nodes, atomically: true, encoding: .utf8)
        return (bmc, BMCWatchSettings(device: bmc.link, intervalSeconds: 1, nodesPath: nodes, subnet: subnet))
    }

    @Test func eightBaysCurrentAndFanReachTheDashboardAndTheMetrics() async throws {
        let (bmc, settings) = try Self.rack()
        let state = DashboardState()
        await state.update(fakeReport(count: 8, up: 8))
        let watch = Task { try await BMCWatch(settings: settings, state: state).run() }
        let polled = await DaemonWatchTests.eventually { await state.model.bays.allSatisfy { !$0.readings.isEmpty } }
        watch.cancel()
        let seen = await state.model.bays.map(\.readings)
        #expect(polled, "\(seen)")

        let daemon = try await FakeDaemon(report: { fakeReport(count: 8, up: 8) })
        defer { Task { await daemon.stop() } }
        try await Application(router: WebRoutes.router(client: DaemonClient.underTest(daemon.path), state: state, authentication: nil)).test(.router) { client in
            try await client.execute(uri: "/api/dashboard", method: .get) { response throws in
                let model = try JSONDecoder().decode(DashboardModel.self, from: bodyData(response.body))
                #expect(model.bays.map(\.id) == Array(1...8))
                for bay in model.bays {
                    #expect(bay.readings == [
                        BayReading(name: "current", value: Double(0x18 + bay.id % 8), unit: "raw"),
                        BayReading(name: "fan", value: Double(0x60 + bay.id), unit: "raw"),
                    ], "bay \(bay.id)")
                }
            }
        }

        let metrics = try await Application(router: WebRoutes.router(client: DaemonClient(socketPath: daemon.path), state: state, authentication: nil))
            .test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get) { response in String(buffer: response.body) }
            }
        #expect(metrics.hasPrefix("# HELP bramble_daemon_up"), "the daemon's families first: \(metrics.prefix(300))")
        for id in 1...8 {
            let labels = "{id=\"\(id)\",node=\"node0\(id)\",bmc=\"0\(id)\"}"
            #expect(metrics.contains("bramble_bmc_up\(labels) 1\n"))
            #expect(metrics.contains("bramble_bmc_power_on\(labels) 1\n"))
            #expect(metrics.contains("bramble_bmc_current_raw\(labels) \(0x18 + id % 8)\n"), "\(metrics)")
            #expect(metrics.contains("bramble_bmc_fan_raw\(labels) \(0x60 + id)\n"))
        }
        withExtendedLifetime(bmc) {}
    }

    @Test func aSilentBMCLeavesTheBaysWithoutReadingsAndSaysSoInTheMetrics() throws {
        let (bmc, settings) = try Self.rack(["--silent"])
        let start = Date()
        let (readings, problem) = BMCWatch.read(settings)
        #expect(Date().timeIntervalSince(start) < 8, "8 silent bays, 0.5 s each")
        #expect(problem == nil)
        #expect(readings.count == 8 && readings.allSatisfy { $0.status == nil && $0.error?.contains("no status line") == true })
        #expect(readings.allSatisfy { BayReading.bmc($0).isEmpty })
        let metrics = PrometheusExposition.render(BMCExposition.families(readings))
        #expect(metrics.split(separator: "\n").filter { $0.hasPrefix("bramble_bmc_up{") && $0.hasSuffix(" 0") }.count == 8)
        withExtendedLifetime(bmc) {}
    }

    @Test func garbageIsSummedUpAsTheProblemAndTheReadingsStillCome() throws {
        let (bmc, settings) = try Self.rack(["--on", "1-8", "--garbage"])
        let (readings, problem) = BMCWatch.read(settings)
        #expect(readings.allSatisfy { $0.status?.power == .on })
        #expect(problem == "\(bmc.link) sent 24 lines that are not a status, skipped, e.g. '\\x00\\xff\\xfe\\x1b[2J noise \\x07'")
    }

    @Test func anUnreadableNodeMapIsAProblemNotACrash() {
        let (readings, problem) = BMCWatch.read(BMCWatchSettings(device: "/dev/null", intervalSeconds: 10, nodesPath: "/nonexistent/nodes", subnet: Self.subnet))
        #expect(readings.isEmpty)
        #expect(problem == "cannot read the node map /nonexistent/nodes: No such file or directory")
    }

    @Test func pollingIsOffUnlessConfigured() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-web")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bramble.conf"
        try "web-listen = loopback\nnodes = nodes\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try WebSettings.load(configFile: path, listen: nil, socket: nil).bmc == nil)
        let flagged = try WebSettings.load(configFile: path, listen: nil, socket: nil, bmcPoll: "10s").bmc
        #expect(flagged == BMCWatchSettings(device: "/dev/serial0", intervalSeconds: 10, nodesPath: directory + "/nodes", subnet: Self.subnet))
        try "web-listen = loopback\nbmc-poll = 1m\nbmc-device = /dev/ttyUSB0\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try WebSettings.load(configFile: path, listen: nil, socket: nil).bmc?.intervalSeconds == 60)
        #expect(try WebSettings.load(configFile: path, listen: nil, socket: nil).bmc?.device == "/dev/ttyUSB0")
        #expect(throws: WebError.self) { try WebSettings.load(configFile: path, listen: nil, socket: nil, bmcPoll: "never") }
    }
}
