import ArgumentParser
import BrambleCommands
import BrambleLab
import Foundation
import Glibc

/// `bramble demo`: a virtual cluster module in network namespaces. The hub runs the real
/// `bramble serve` (this binary) on a generated config, node map and boot tree; simulated
/// Pi 3B, 3B+ and 4B (or the models `--models` names: CM4, Pi 5B, CM5 too;
/// scripts/lib/fakepi.py) are powered on bay by bay and boot through the ROM's or
/// bootloader's DHCP, TFTP, the kernel's DHCP and a DNS query; the demo shows them booting and ends
/// with every node's boot time and what the server cost. Everything it creates is removed
/// again: on success, on failure and on Ctrl-C.
public struct DemoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bramble demo",
        abstract: "Boot a virtual cluster of simulated Raspberry Pis from bramble serve, in network namespaces.",
        discussion: """
            Needs root (network namespaces) and python3. Builds a switch, a hub running \
            `bramble serve` and one namespace per Pi (the bays of etc/nodes: Pi 3B in 1-16, \
            3B+ in 17-32, 4B in 33-48; --models splits the bays among other models), powers \
            the Pis on one by one, shows their boot stages \
            live, and prints each node's boot time, the bytes served, and the server's CPU \
            seconds and peak RSS. Exit status 0 when every node came up.
            """
    )

    @Option(help: "Simulated Pis to boot (default: every bay, 48 for the default models); fewer take the models in turn.")
    var nodes: Int?

    @Option(help: """
        The models in the module, comma-separated, in bay order: \(DemoBay.Model.allCases.map(\.rawValue).joined(separator: ",")) \
        (the 48 bays are split among them equally).
        """)
    var models = DemoBay.defaultModels.map(\.rawValue).joined(separator: ",")

    @Option(help: "Time between two power-ons, like the control plane's (e.g. 0.5s, 250ms).")
    var interval = "0.5s"

    @Option(help: "Give up on nodes not up after this long from the first power-on.")
    var timeLimit = "300s"

    @Flag(help: "Keep the temporary directory (config, boot tree, server log, each Pi's JSON lines).")
    var keep = false

    @Option(help: "The Pi simulator (default: scripts/lib/fakepi.py of the checkout this binary was built in).")
    var simulator: String?

    @Flag(help: "Also serve the live dashboard (bramble web) on 127.0.0.1 and print its URL.")
    var web = false

    @Option(help: "The dashboard's port on 127.0.0.1, with --web.")
    var webPort = 9420

    @Option(help: "With --web, keep the module and the dashboard up this long after the boot (Ctrl-C ends it sooner).")
    var webHold = "10m"

    public func validate() throws {
        let maximum = DemoBay.maximumCount(models: try modelList())
        guard (1...maximum).contains(nodes ?? maximum) else {
            throw ValidationError("--nodes must be between 1 and \(maximum) (the Pi bays of a cluster module, split among --models)")
        }
        guard Self.seconds(interval) != nil else { throw ValidationError("--interval: '\(interval)' is not a duration like 0.5s or 500ms") }
        guard let limit = Self.seconds(timeLimit), limit > 0 else {
            throw ValidationError("--time-limit: '\(timeLimit)' is not a duration like 300s or 5m")
        }
        guard (1...65535).contains(webPort) else { throw ValidationError("--web-port must be 1 to 65535") }
        guard Self.seconds(webHold) != nil else { throw ValidationError("--web-hold: '\(webHold)' is not a duration like 10m or 30s") }
    }

    public init() {}

    /// `--models` parsed; its error, named for the user, as a validation error.
    func modelList() throws -> [DemoBay.Model] {
        do {
            return try DemoBay.parseModels(models)
        } catch {
            throw ValidationError(error.description)
        }
    }

    public func run() throws {
        guard geteuid() == 0 else { throw DemoError("needs root to create network namespaces (run it with sudo)") }
        guard let script = simulator ?? Self.locateSimulator(), FileManager.default.fileExists(atPath: script) else {
            throw DemoError("cannot find the Pi simulator scripts/lib/fakepi.py; pass --simulator PATH")
        }
        let interval = Self.seconds(interval) ?? 0.5
        let limit = Self.seconds(timeLimit) ?? 300
        let directory = try Self.makeTemporaryDirectory()
        let tree = DemoBootTree(directory: directory)
        // The lab's names carry the whole pid, which is how a later demo recognises them
        // as abandoned when this one is killed with SIGKILL.
        let prefix = "\(Self.labFamily)\(getpid())"
        var lab: NetworkLab?
        DemoSignals.install()
        defer {
            lab?.tearDown()
            let left = (try? NetworkLab.leftoverNamespaces(prefix: prefix + "-")) ?? []
            if !left.isEmpty { printToStandardError("bramble demo: could not remove namespaces \(left.joined(separator: " "))") }
            if keep {
                print("kept \(directory.path): bramble.conf, nodes, pxe/, serve.log, pis/NAME.jsonl")
            } else {
                try? FileManager.default.removeItem(at: directory)
            }
        }

        let abandoned = NetworkLab.removeAbandoned(family: Self.labFamily)
        if abandoned > 0 { print("removed \(abandoned) namespaces left by an earlier demo that was killed") }
        let models = try modelList()
        let bays = DemoBay.selection(count: nodes ?? DemoBay.maximumCount(models: models), models: models)
        let cluster: NetworkLab
        let hub: String
        do {
            cluster = try NetworkLab(prefix: prefix)
            lab = cluster
            hub = cluster.namespace("hub")
            print("bramble demo: \(bays.count) simulated Pis (\(Self.modelCounts(bays))), hub 10.42.0.250 in namespace \(hub) (files in \(directory.path))")
            try tree.write(bays: bays)
            try cluster.addHosts([NetworkLab.Host("hub", address: "10.42.0.250/24", mac: "02:42:0a:2a:00:fa")]
                + bays.map { NetworkLab.Host(Self.hostName($0), mac: $0.mac) })
        } catch let error as NetworkLab.Unavailable {
            throw DemoError(error.description)
        }
        // `bramble`, built next to this executable: the hub runs it.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("bramble").path
        let server = try cluster.start(in: hub, [executable, "serve", "--config", tree.configPath], output: tree.serveLogPath)
        try Self.waitUntilReady(server, log: tree.serveLogPath)
        let dashboard = try web ? DemoDashboard.start(configPath: tree.configPath, port: webPort, logPath: tree.directory.appendingPathComponent("web.log").path) : nil
        defer { dashboard?.stop() }
        if let dashboard { print("the dashboard: \(dashboard.url) (bramble web, on 127.0.0.1 only)") }
        print("bramble serve is ready; powering on one Pi every \(Self.format(interval)) s")
        fflush(nil)

        var progress = bays.map(DemoNodeProgress.init)
        let status = DemoDaemon(socketPath: tree.controlSocketPath)
        let start = Date()
        try boot(&progress, cluster: cluster, tree: tree, script: script, status: status, interval: interval, limit: limit, since: start)

        let stats = DemoServerStats.read(pid: server.processIdentifier, counters: status.counters())
        let finalStatus = status.report()
        status.cancel()
        if let dashboard { DemoDashboard.hold(url: dashboard.url, seconds: Self.seconds(webHold) ?? 600) }
        NetworkLab.stop(server)
        try DemoReport.conclude(progress, status: finalStatus, server: stats, since: start)
    }

    /// Powers the bays on in order and follows them until every one is up or failed, the
    /// time limit passes, or a signal asks to stop.
    private func boot(_ progress: inout [DemoNodeProgress], cluster: NetworkLab, tree: DemoBootTree, script: String,
                      status: DemoDaemon, interval: Double, limit: Double, since start: Date) throws {
        var view = DemoView(interactive: isatty(STDOUT_FILENO) == 1)
        var simulators: [Int: Process] = [:]
        while true {
            if DemoSignals.received != 0 {
                print("\nbramble demo: stopping on signal \(DemoSignals.received); removing the namespaces")
                fflush(nil)
                status.cancel()
                throw DemoError("interrupted; every namespace and temporary file was removed")
            }
            let elapsed = Date().timeIntervalSince(start)
            for index in progress.indices where progress[index].poweredOn == nil && elapsed >= Double(index) * interval {
                let bay = progress[index].bay
                let arguments = ["python3", script, "--model", bay.model.rawValue, "--serial", bay.serial, "--interface", "eth0",
                                 "--tree", tree.bootPath, "--time-limit", String(Int(max(10, min(120, limit - elapsed))))]
                simulators[index] = try cluster.start(in: cluster.namespace(Self.hostName(bay)), arguments, output: tree.simulatorLogPath(bay))
                progress[index].poweredOn = elapsed
            }
            for (index, process) in simulators {
                progress[index].update(from: tree.simulatorLogPath(progress[index].bay))
                if !process.isRunning {
                    progress[index].update(from: tree.simulatorLogPath(progress[index].bay))
                    progress[index].ended(status: process.terminationStatus)
                    simulators[index] = nil
                }
            }
            view.show(progress, elapsed: elapsed, status: status)
            // Flushed every tick, so a pipe (`| tee`) or a file shows progress as it happens.
            fflush(nil)
            if simulators.isEmpty && progress.allSatisfy({ $0.poweredOn != nil }) { return }
            if elapsed > limit {
                for (index, process) in simulators {
                    NetworkLab.stop(process, grace: 1)
                    progress[index].update(from: tree.simulatorLogPath(progress[index].bay))
                    progress[index].ended(status: process.terminationStatus)
                }
                return
            }
            // A tick of 0.2 s, shorter when the next power-on is due sooner.
            let nextPowerOn = progress.firstIndex { $0.poweredOn == nil }.map { Double($0) * interval - Date().timeIntervalSince(start) }
            usleep(UInt32(max(0.005, min(0.2, nextPowerOn ?? 0.2)) * 1_000_000))
        }
    }

    /// The demo's labs: `bdemoPID-sw`, `bdemoPID-hub`, `bdemoPID-nID` for bay ID.
    static let labFamily = "bdemo"

    static func hostName(_ bay: DemoBay) -> String { "n\(bay.id)" }

    /// Waits (at most 20 s) for the server's `ready:` line.
    private static func waitUntilReady(_ server: Process, log: String) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if DemoSignals.received != 0 { throw DemoError("interrupted before the hub was ready") }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("ready:") { return }
            if !server.isRunning { throw DemoError("bramble serve exited at start:\n\(text)") }
            usleep(50_000)
        }
        throw DemoError("bramble serve was not ready within 20 s; see \(log)")
    }

    /// scripts/lib/fakepi.py of the checkout: beside the current directory, or above the
    /// executable (`.build/<triple>/debug/bramble`).
    static func locateSimulator() -> String? {
        let relative = "scripts/lib/fakepi.py"
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            directory = directory.deletingLastPathComponent()
            candidates.append(directory.appendingPathComponent(relative).path)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    private static func makeTemporaryDirectory() throws -> URL {
        var template = Array("/tmp/bramble-demo-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw DemoError("cannot create a temporary directory in /tmp")
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o755)
        return URL(fileURLWithPath: path)
    }

    private static func modelCounts(_ bays: [DemoBay]) -> String {
        DemoBay.Model.allCases.compactMap { model in
            let count = bays.filter { $0.model == model }.count
            return count == 0 ? nil : "\(count) \(model.label)"
        }.joined(separator: ", ")
    }

    /// `0.5`, `0.5s`, `500ms`, `5m` in seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0 else { return nil }
            return value * scale
        }
        guard let value = Double(text), value >= 0 else { return nil }
        return value
    }

    private static func format(_ seconds: Double) -> String { String(format: "%g", seconds) }
}
