import ArgumentParser
import BrambleControl
import BrambleFiles
import BrambleNodeMap
import BrambleWire
import Glibc

/// `bramble migrate`: from a hub's dnsmasq configuration to bramble.conf and the node map,
/// and with `--apply` from the dnsmasq service to bramble's; `--undo` goes back.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Switch a hub from dnsmasq to bramble: write bramble.conf and the node map from dnsmasq's configuration.",
        discussion: """
            Reads dnsmasq's configuration as dnsmasq does (the main file, conf-file and conf-dir \
            includes, /etc/dnsmasq.d, dhcp-hostsfile, dhcp-hostsdir, addn-hosts, /etc/ethers with \
            read-ethers), prints the plan (every dnsmasq line: mapped to a bramble.conf key, not \
            needed, or not supported and what it did; every node; every file written), and writes \
            bramble.conf and the node map. A file it replaces is kept as \
            FILE.bramble-backup-TIMESTAMP. With --apply (root) it then stops and disables dnsmasq, \
            enables and starts bramble, and waits until bramble is active and answers on its \
            control socket; if it does not within --timeout seconds, dnsmasq is enabled and \
            started again and bramble's journal says why. --undo stops and disables bramble, \
            restores the files the last migration replaced, and enables and starts dnsmasq. \
            See docs/migrate.md.
            """
    )

    @Option(help: ArgumentHelp("Read and write every path under DIR instead of / (a mounted image, a test tree).", valueName: "DIR"))
    var root = "/"
    @Option(help: ArgumentHelp("dnsmasq's main configuration file.", valueName: "FILE"))
    var dnsmasqConf = "/etc/dnsmasq.conf"
    @Option(help: ArgumentHelp("The bramble.conf to write.", valueName: "FILE"))
    var config = ConfigOptions.defaultConfigPath
    @Option(help: ArgumentHelp("The node map to write (nodes from dhcp-host lines merge into it).", valueName: "FILE"))
    var nodes = "/etc/bramble/nodes"
    @Option(
        help: ArgumentHelp(
            "The hub's address on the cluster interface. (default: dnsmasq's listen-address in the cluster, else the interface's address here, else 10.42.0.250/24)",
            valueName: "A.B.C.D/N"),
        transform: FlagValue.hubAddress)
    var address: IPv4Interface?
    @Flag(help: "Show the plan without writing anything.")
    var dryRun = false
    @Flag(help: "After writing, switch the services: dnsmasq stopped and disabled, bramble enabled and started (root).")
    var apply = false
    @Flag(help: "Go back: bramble stopped and disabled, the replaced files restored, dnsmasq enabled and started (root).")
    var undo = false
    @Option(help: ArgumentHelp("Seconds bramble has to report ready after --apply before dnsmasq is restored.", valueName: "SECONDS"))
    var timeout = 30

    func validate() throws {
        if apply && undo { throw ValidationError("--apply and --undo go opposite ways: give one") }
        if dryRun && (apply || undo) { throw ValidationError("--dry-run writes and switches nothing: leave out --apply and --undo") }
        if (apply || undo) && !(root == "/" || root.isEmpty) {
            throw ValidationError("--apply and --undo switch this machine's services: run them without --root, on the hub itself")
        }
        if timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() throws {
        let locations = MigrationLocations(root: root, dnsmasqConfiguration: dnsmasqConf, configuration: config, nodes: nodes)
        if undo {
            try requireRoot("--undo")
            let outcome = Migration.undo(locations, services: ServiceSwitch(manager: Systemctl(), answers: { false }, pause: Self.sleep))
            for line in outcome.lines { print(line) }
            if !outcome.ok { throw ExitCode(1) }
            return
        }
        if apply { try requireRoot("--apply") }
        let result = try Migration.migrate(locations, address: address, write: !dryRun)
        for line in result.report { print(line) }
        guard apply else { return }
        let socket = locations.onDisk(result.configuration.stateDirectory) + "/control.sock"
        let services = ServiceSwitch(
            manager: Systemctl(), timeoutSeconds: Double(timeout), answers: { Self.answers(socket) }, pause: Self.sleep)
        let outcome = services.apply()
        print("")
        for line in outcome.lines { print(line) }
        if !outcome.ok { throw ExitCode(1) }
    }

    private func requireRoot(_ flag: String) throws {
        guard geteuid() == 0 else { throw ValidationError("\(flag) runs systemctl to switch dnsmasq and bramble: run it as root (sudo bramble migrate \(flag))") }
    }

    /// Whether the daemon answers a status request on its control socket.
    private static func answers(_ socket: String) -> Bool {
        guard let client = try? ControlClient(path: socket) else { return false }
        return (try? client.ask(ControlRequest(command: .status), timeoutMilliseconds: 2000)) != nil
    }

    private static func sleep(_ seconds: Double) { usleep(useconds_t(seconds * 1_000_000)) }
}

/// Where `bramble migrate` reads and writes: hub paths, and the root they live under here.
struct MigrationLocations {
    var root: String
    var dnsmasqConfiguration: String
    var configuration: String
    var nodes: String

    func onDisk(_ path: String) -> String { Self.onDisk(path, under: root) }

    /// `path`, a hub path, as it is found on this machine with the hub's / at `root`.
    static func onDisk(_ path: String, under root: String) -> String {
        root == "/" || root.isEmpty ? path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
    }
}

/// The work of `bramble migrate` apart from the command line, so tests run it on a tree.
enum Migration {
    struct Result {
        let plan: MigrationPlan
        let configuration: BrambleConfig
        let report: [String]
    }

    /// The defaults a BitScope hub's dnsmasq implies when it names no address: the guide's
    /// cluster manager is 10.42.0.250 on 10.42.0.0/24.
    static let defaultAddress = IPv4Interface("10.42.0.250/24")!

    static func migrate(_ locations: MigrationLocations, address: IPv4Interface?, write: Bool, stamp: String = MigrationFiles.timestamp()) throws -> Result {
        var setup = try DnsmasqSetup(root: locations.root, mainConfiguration: locations.dnsmasqConfiguration, subnet: defaultAddress.subnet, domain: "cluster")
        let settings = setup.sources.flatMap(\.result.configHints).compactMap { hint -> (key: String, value: String)? in
            guard case .setting(let key, let value) = hint.kind else { return nil }
            return (key, value)
        }
        let interface = settings.first { $0.key == "interface" }?.value ?? "eth0"
        let domain = settings.first { $0.key == "domain" }?.value ?? "cluster"
        let hub: (IPv4Interface, origin: String)
        if let address {
            hub = (address, "--address")
        } else if let listen = settings.first(where: { $0.key == "address" }).flatMap({ IPv4Interface($0.value) }) {
            hub = (listen, "dnsmasq's listen-address")
        } else if let listen = listenAddress(in: setup) {
            hub = (listen, "dnsmasq's listen-address, with a /24 prefix assumed: pass --address if the subnet differs")
        } else if locations.root == "/" || locations.root.isEmpty, let live = ServePreflight.ipv4Interfaces(of: interface).first {
            hub = (live, "the address \(interface) has on this machine")
        } else {
            hub = (defaultAddress, "the BitScope hub's address; dnsmasq names none: check it, or pass --address")
        }
        if hub.0.subnet != defaultAddress.subnet || domain != "cluster" {
            setup = try DnsmasqSetup(root: locations.root, mainConfiguration: locations.dnsmasqConfiguration, subnet: hub.0.subnet, domain: domain)
        }
        let nodesOnDisk = locations.onDisk(locations.nodes)
        let currentNodes = TextFile.exists(nodesOnDisk) ? try TextFile.read(nodesOnDisk) : ""
        let plan = MigrationPlan(setup: setup, address: hub, nodesPath: locations.nodes, currentNodes: currentNodes)
        let configuration = try validated(plan, locations: locations)
        var writes: [String] = []
        let files = [(locations.configuration, plan.configurationText), (locations.nodes, plan.nodesText)]
        for (path, text) in files {
            guard write else {
                writes.append(TextFile.exists(locations.onDisk(path))
                    ? "would write \(path) (the current file kept as \(path)\(MigrationFiles.backupInfix)\(stamp))"
                    : "would write \(path) (new)")
                continue
            }
            switch try MigrationFiles.write(text, to: locations.onDisk(path), stamp: stamp) {
            case .unchanged: writes.append("kept \(path): it already says this")
            case .created: writes.append("wrote \(path) (new)")
            case .replaced: writes.append("wrote \(path) (the previous file kept as \(path)\(MigrationFiles.backupInfix)\(stamp))")
            }
        }
        var isDirectory = stat()
        if stat(locations.onDisk(configuration.bootDirectory), &isDirectory) != 0 {
            writes.append("warning: there is no boot tree at \(configuration.bootDirectory): bramble serve will refuse to start until it exists")
        }
        return Result(plan: plan, configuration: configuration, report: plan.report(writes: writes, problems: setup.problems))
    }

    /// The first listen-address outside loopback, for a cluster outside the BitScope subnet
    /// (the importer maps only addresses inside the subnet it is given).
    private static func listenAddress(in setup: DnsmasqSetup) -> IPv4Interface? {
        for hint in setup.sources.flatMap(\.result.configHints) where DnsmasqSetup.optionName(of: hint.text) == "listen-address" {
            for value in DnsmasqSetup.values(of: hint.text) {
                if let address = IPv4Address(value), address.bytes[0] != 127, let hub = IPv4Interface("\(address)/24") { return hub }
            }
        }
        return nil
    }

    /// The plan's bramble.conf and node map, each checked as `bramble serve` will read it.
    private static func validated(_ plan: MigrationPlan, locations: MigrationLocations) throws(MigrationRefused) -> BrambleConfig {
        let draft = ConfigParser.parse(plan.configurationText, file: locations.configuration)
        let configuration: BrambleConfig
        switch Swift.Result(catching: { () throws(ConfigError) in try draft.validated() }) {
        case .success(let value): configuration = value
        case .failure(let error): throw MigrationRefused(reason: "the bramble.conf it would write is not valid, so nothing was written:\n\(error.message)")
        }
        let document = NodeMapDocument(parsing: plan.nodesText, fileName: locations.nodes)
        if case .failure(let error) = Swift.Result(catching: { () throws(NodeMapInvalid) in try NodeMap(document: document, subnet: configuration.subnet) }) {
            throw MigrationRefused(reason: "the node map it would write is not valid, so nothing was written:\n\(error.description)")
        }
        if !document.lineDiagnostics.isEmpty {
            throw MigrationRefused(reason: "the node map it would write is not valid, so nothing was written:\n"
                + document.lineDiagnostics.map(\.description).joined(separator: "\n"))
        }
        return configuration
    }

    /// Back to dnsmasq: bramble stopped and disabled, the files stepped back, dnsmasq started.
    static func undo(_ locations: MigrationLocations, services: ServiceSwitch, stamp: String = MigrationFiles.timestamp()) -> ServiceSwitch.Outcome {
        services.undo {
            var lines: [String] = []
            for path in [locations.configuration, locations.nodes] {
                do throws(FileAccessError) {
                    switch try MigrationFiles.undo(locations.onDisk(path), stamp: stamp) {
                    case .restored(let backup, let kept):
                        lines.append("restored \(path) from \(backup)" + (kept.map { " (the migrated file kept as \($0))" } ?? ""))
                    case .removed(let kept):
                        lines.append("moved \(path), which the migration created, to \(kept)")
                    case .nothingToUndo:
                        lines.append("\(path): no migration to undo")
                    }
                } catch {
                    lines.append(error.message)
                    return (false, lines)
                }
            }
            return (true, lines)
        }
    }
}

/// `bramble migrate` would write something invalid; nothing was written.
struct MigrationRefused: UserFacingError {
    let reason: String
    var message: String { "bramble migrate: \(reason)" }
}
