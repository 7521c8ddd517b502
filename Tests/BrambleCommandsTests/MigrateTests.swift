import ArgumentParser
@testable import BrambleCommands
import BrambleNodeMap
import BrambleTestSupport
import BrambleWire
import Testing

/// `bramble migrate` on hub trees in temporary directories (`--root`), and the switch-over
/// of services driven through a fake service manager.
struct MigrateTests {
    static let loadState = "show --property=LoadState --value dnsmasq"

    /// A hub tree: Debian's commented-out dnsmasq.conf and the BitScope hub's settings in
    /// /etc/dnsmasq.d/cluster.conf (Fixtures/dnsmasq/bitscope-hub.conf), and /pxe/boot.
    static func hubTree() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        for directory in ["etc", "etc/dnsmasq.d", "pxe", "pxe/boot"] { try root.directory(directory) }
        try root.file("etc/dnsmasq.conf", text: "# Configuration file for dnsmasq.\n#domain-needed\n#conf-dir=/etc/dnsmasq.d/,*.conf\n")
        try root.file("etc/dnsmasq.d/cluster.conf", text: try TextFile.read(fixturePath("dnsmasq/bitscope-hub.conf")))
        try root.file("etc/dnsmasq.d/README", text: "# Files in this directory are read by dnsmasq as configuration.\n")
        try root.file("etc/dnsmasq.d/cluster.conf.dpkg-old", text: "dhcp-host=b8:27:eb:99:99:99,10.42.0.99\n")
        return root
    }

    static func locations(_ root: TemporaryDirectory) -> MigrationLocations {
        MigrationLocations(root: root.path, dnsmasqConfiguration: "/etc/dnsmasq.conf", configuration: "/etc/bramble/bramble.conf", nodes: "/etc/bramble/nodes")
    }

    @Test("the BitScope hub's dnsmasq becomes bramble.conf and a node map; every option line is accounted for")
    func bitscopeHub() throws {
        let root = try Self.hubTree()
        let result = try Migration.migrate(Self.locations(root), address: nil, write: true, stamp: "20261207T120000Z")
        #expect(result.plan.sources == ["/etc/dnsmasq.conf", "/etc/dnsmasq.d/README", "/etc/dnsmasq.d/cluster.conf"])
        #expect(result.plan.settings.map { "\($0.key) = \($0.value)" } == [
            "address = 10.42.0.250/24", "interface = eth0", "domain = cluster", "upstream = 10.42.0.240",
            "pool = 10.42.0.100-10.42.0.119", "pxe = /pxe", "nodes = /etc/bramble/nodes",
        ])
        #expect(root.read("etc/bramble/nodes") == "1 b8:27:eb:10:00:01\n2 dc:a6:32:10:00:02\n3 b8:27:eb:10:00:03\n4 dc:a6:32:10:00:04 build04\n")
        let config = try #require(root.read("etc/bramble/bramble.conf"))
        let parsed = try ConfigParser.parse(config, file: "bramble.conf").validated()
        #expect(parsed.interface.name == "eth0" && parsed.pxeDirectory == "/pxe" && parsed.nodesPath == "/etc/bramble/nodes")
        #expect(config.contains("# /etc/dnsmasq.d/cluster.conf:26: tftp-root=/pxe/boot\npxe = /pxe\n"))
        let fixtureLines = try TextFile.read(fixturePath("dnsmasq/bitscope-hub.conf")).split(separator: "\n", omittingEmptySubsequences: false)
        let optionLines = fixtureLines.indices.filter { !fixtureLines[$0].hasPrefix("#") && !fixtureLines[$0].isEmpty }.map { $0 + 1 }
        #expect(result.plan.lines.filter { $0.file == "/etc/dnsmasq.d/cluster.conf" }.map(\.line) == optionLines)
        let fates = Dictionary(result.plan.lines.map { ($0.text, $0.fate) }, uniquingKeysWith: { first, _ in first })
        #expect(fates["dhcp-option=option:router,10.42.0.250"] == .notSupported("bramble sends the subnet mask, router, DNS server, domain and Pi boot options itself"))
        #expect(fates["pxe-service=0,\"Raspberry Pi Boot\""].map { if case .notNeeded = $0 { true } else { false } } == true)
        #expect(fates["dhcp-host=dc:a6:32:10:00:04,10.42.0.4,build04"] == .node("4 dc:a6:32:10:00:04 build04"))
        #expect(fates["dhcp-host=b8:27:eb:10:00:01,10.42.0.1,node01"] == .node("1 b8:27:eb:10:00:01"), "the default name is not written")
        #expect(result.report.contains("wrote /etc/bramble/bramble.conf (new)"))
        #expect(root.read("etc/bramble/bramble.conf.bramble-created-20261207T120000Z") == "")
        #expect(!result.report.joined().contains("10.42.0.99"), "a .dpkg-old file is not read")

        let again = try Migration.migrate(Self.locations(root), address: nil, write: true, stamp: "20261207T120100Z")
        #expect(again.report.contains("kept /etc/bramble/bramble.conf: it already says this"))
        #expect(root.read("etc/bramble/bramble.conf.bramble-backup-20261207T120100Z") == nil)
    }

    @Test("includes as dnsmasq reads them: conf-dir with a filter, dhcp-hostsfile, read-ethers, addn-hosts; an operator's files are backed up")
    func includesAndBackups() throws {
        let root = try TemporaryDirectory()
        for directory in ["etc", "etc/cluster.d", "etc/bramble", "pxe", "pxe/boot"] { try root.directory(directory) }
        try root.file("etc/dnsmasq.conf", text: """
            interface=eth1
            listen-address=127.0.0.1,192.168.7.1
            conf-dir=/etc/cluster.d,*.conf
            read-ethers
            addn-hosts=/etc/cluster.hosts
            tftp-root=/pxe/boot
            """ + "\n")
        try root.file("etc/cluster.d/hosts.conf", text: "dhcp-hostsfile=/etc/dnsmasq.hosts\ndomain=lab\n")
        try root.file("etc/cluster.d/notes.txt", text: "dhcp-host=b8:27:eb:00:00:66,192.168.7.66\n")
        try root.file("etc/dnsmasq.hosts", text: "b8:27:eb:00:00:05,192.168.7.5,node05.lab,set:pi3\n")
        try root.file("etc/ethers", text: "dc:a6:32:00:00:06 192.168.7.6\n")
        try root.file("etc/cluster.hosts", text: "192.168.7.7 printer\n")
        try root.file("etc/bramble/bramble.conf", text: "# the sample the package installs\n")
        try root.file("etc/bramble/nodes", text: "# bay MAC name\n5 b8:27:eb:XX:XX:XX\n")
        let result = try Migration.migrate(Self.locations(root), address: nil, write: true, stamp: "20261207T120000Z")
        #expect(result.plan.sources == ["/etc/dnsmasq.conf", "/etc/cluster.d/hosts.conf", "/etc/dnsmasq.hosts", "/etc/ethers", "/etc/cluster.hosts"])
        #expect(result.configuration.address == IPv4Interface("192.168.7.1/24"))
        #expect(result.configuration.interface.name == "eth1" && result.configuration.domain.name == "lab")
        #expect(root.read("etc/bramble/nodes") == "# bay MAC name\n5 b8:27:eb:00:00:05\n6 dc:a6:32:00:00:06\n")
        #expect(root.read("etc/bramble/bramble.conf.bramble-backup-20261207T120000Z") == "# the sample the package installs\n")
        #expect(root.read("etc/bramble/nodes.bramble-backup-20261207T120000Z") == "# bay MAC name\n5 b8:27:eb:XX:XX:XX\n")
        let printer = result.plan.lines.first { $0.text == "192.168.7.7 printer" }
        #expect(printer.map { if case .notImported(let why) = $0.fate { why.hasPrefix("a name without a MAC") } else { false } } == true)
        #expect(result.plan.lines.contains { $0.text == "read-ethers" && $0.fate == .readToo("/etc/ethers") })
        let tagged = try #require(result.plan.lines.first { $0.file == "/etc/dnsmasq.hosts" })
        #expect(tagged.fate == .node("5 b8:27:eb:00:00:05") && tagged.notes.count == 1, "\(tagged)")
        #expect(result.report.contains("         note: \(tagged.notes.first ?? "")"))
    }

    @Test("an include of itself is read once; an include that is missing is reported, not fatal")
    func includeLoopAndMissing() throws {
        let root = try TemporaryDirectory()
        for directory in ["etc", "pxe", "pxe/boot"] { try root.directory(directory) }
        try root.file("etc/dnsmasq.conf", text: "conf-file=/etc/dnsmasq.conf\ndhcp-hostsfile=/etc/missing.hosts\ninterface=eth0\n")
        let result = try Migration.migrate(Self.locations(root), address: nil, write: false)
        #expect(result.plan.sources == ["/etc/dnsmasq.conf"])
        let missing = try #require(result.plan.lines.first { $0.line == 2 })
        #expect(missing.fate == .notSupported("/etc/missing.hosts could not be read (see below)"))
        #expect(result.report.contains("  /etc/dnsmasq.conf:2: dhcp-hostsfile: \(root.path)/etc/missing.hosts: cannot open: No such file or directory"), "\(result.report)")
        #expect(throws: FileAccessError.self) {
            try Migration.migrate(MigrationLocations(root: root.path, dnsmasqConfiguration: "/etc/none.conf", configuration: "/c", nodes: "/n"), address: nil, write: false)
        }
    }

    @Test("--dry-run writes nothing; a config the plan would make invalid writes nothing either")
    func dryRunAndRefusal() throws {
        let root = try Self.hubTree()
        let result = try Migration.migrate(Self.locations(root), address: nil, write: false, stamp: "20261207T120000Z")
        #expect(result.report.contains("would write /etc/bramble/bramble.conf (new)"))
        #expect(root.read("etc/bramble/bramble.conf") == nil)
        try root.file("etc/dnsmasq.d/aa.conf", text: "dhcp-range=10.42.0.200,10.42.0.254\n")
        #expect(throws: MigrationRefused.self) { try Migration.migrate(Self.locations(root), address: nil, write: true) }
        #expect(root.read("etc/bramble/bramble.conf") == nil)
    }

    @Test("--undo's files: a backup comes back, a created file is moved aside, the migrated ones are kept")
    func undoFiles() throws {
        let root = try Self.hubTree()
        try root.directory("etc/bramble")
        try root.file("etc/bramble/bramble.conf", text: "interface = eth0\n")
        _ = try Migration.migrate(Self.locations(root), address: nil, write: true, stamp: "20261207T120000Z")
        let migrated = try #require(root.read("etc/bramble/bramble.conf"))
        let manager = FakeServiceManager(activeStates: [])
        let outcome = Migration.undo(Self.locations(root), services: ServiceSwitch(manager: manager, answers: { true }, pause: { _ in }), stamp: "20261207T130000Z")
        #expect(outcome.ok, "\(outcome.lines)")
        #expect(root.read("etc/bramble/bramble.conf") == "interface = eth0\n")
        #expect(root.read("etc/bramble/bramble.conf.bramble-undone-20261207T130000Z") == migrated)
        #expect(root.read("etc/bramble/nodes") == nil)
        #expect(root.read("etc/bramble/nodes.bramble-undone-20261207T130000Z") != nil)
        #expect(manager.calls == ["disable --now bramble", "enable dnsmasq", "start dnsmasq"])
        #expect(outcome.lines.contains("restored /etc/bramble/bramble.conf from \(root.path)/etc/bramble/bramble.conf.bramble-backup-20261207T120000Z (the migrated file kept as \(root.path)/etc/bramble/bramble.conf.bramble-undone-20261207T130000Z)"))
        let twice = Migration.undo(Self.locations(root), services: ServiceSwitch(manager: manager, answers: { true }, pause: { _ in }))
        #expect(twice.lines.contains("/etc/bramble/nodes: no migration to undo"))
        #expect(root.read("etc/bramble/bramble.conf") == "interface = eth0\n")
    }

    @Test("--apply: dnsmasq stopped and disabled, bramble enabled and started, done once it is active and answers")
    func applySucceeds() {
        let manager = FakeServiceManager(activeStates: ["activating", "activating", "active"])
        var asked = 0
        let outcome = ServiceSwitch(manager: manager, answers: { asked += 1; return true }, pause: { _ in }).apply()
        #expect(outcome.ok)
        #expect(manager.calls == [Self.loadState, "stop dnsmasq", "disable dnsmasq", "enable --now bramble", "is-active bramble", "is-active bramble", "is-active bramble"])
        #expect(asked == 1)
        #expect(outcome.lines.last?.hasPrefix("bramble is active and answers on its control socket") == true)
    }

    @Test("--apply: bramble fails, so dnsmasq is enabled and started again and bramble's journal says why")
    func applyFailsAndRestores() {
        let manager = FakeServiceManager(activeStates: ["activating", "failed"])
        manager.journalLines = ["bramble serve: another server holds ports bramble needs on 10.42.0.250:"]
        let outcome = ServiceSwitch(manager: manager, answers: { true }, pause: { _ in }).apply()
        #expect(!outcome.ok)
        #expect(manager.calls == [
            Self.loadState, "stop dnsmasq", "disable dnsmasq", "enable --now bramble", "is-active bramble", "is-active bramble",
            "disable --now bramble", "enable dnsmasq", "start dnsmasq",
        ])
        #expect(outcome.lines.contains("bramble failed to start; restoring dnsmasq"))
        #expect(outcome.lines.contains("  bramble serve: another server holds ports bramble needs on 10.42.0.250:"))
        #expect(outcome.lines.last?.hasPrefix("dnsmasq is enabled and running again") == true)
    }

    @Test("--apply: bramble active but never answering is given up after the time limit, and dnsmasq restored")
    func applyTimesOut() {
        let manager = FakeServiceManager(activeStates: Array(repeating: "active", count: 100))
        var waited = 0.0
        let outcome = ServiceSwitch(manager: manager, timeoutSeconds: 3, pollSeconds: 1, answers: { false }, pause: { waited += $0 }).apply()
        #expect(!outcome.ok)
        #expect(waited == 4)
        #expect(outcome.lines.contains("bramble did not report ready within 3 s (systemd: active); restoring dnsmasq"))
        #expect(manager.calls.suffix(3) == ["disable --now bramble", "enable dnsmasq", "start dnsmasq"])
    }

    @Test("--apply on a hub without dnsmasq.service: nothing to stop or restore, bramble alone is switched")
    func noDnsmasqService() {
        let manager = FakeServiceManager(activeStates: ["failed"])
        manager.dnsmasqLoadState = "not-found"
        let outcome = ServiceSwitch(manager: manager, answers: { true }, pause: { _ in }).apply()
        #expect(!outcome.ok)
        #expect(manager.calls == [Self.loadState, "enable --now bramble", "is-active bramble", "disable --now bramble"])
        #expect(outcome.lines.first == "dnsmasq.service is not installed: no service to stop")
        #expect(outcome.lines.last == "systemctl disable --now bramble")
    }

    @Test("--apply: when dnsmasq cannot be stopped nothing else is switched, and it is started again")
    func stopFails() {
        let manager = FakeServiceManager(activeStates: [])
        manager.failing = ["stop dnsmasq"]
        let outcome = ServiceSwitch(manager: manager, answers: { true }, pause: { _ in }).apply()
        #expect(!outcome.ok)
        #expect(manager.calls == [Self.loadState, "stop dnsmasq", "enable dnsmasq", "start dnsmasq"])
        #expect(outcome.lines.first == "systemctl stop dnsmasq: failed (exit 5): Failed to stop dnsmasq.service: Unit dnsmasq.service not loaded.")
    }
}

/// A service manager that records what it was asked and answers `is-active` from a script.
final class FakeServiceManager: ServiceManager {
    var calls: [String] = []
    var activeStates: [String]
    var journalLines: [String] = []
    var failing: Set<String> = []

    var dnsmasqLoadState = "loaded"

    init(activeStates: [String]) { self.activeStates = activeStates }

    func systemctl(_ arguments: [String]) -> ExternalCommand.Result {
        let call = arguments.joined(separator: " ")
        calls.append(call)
        if arguments.first == "show" {
            return ExternalCommand.Result(status: 0, output: dnsmasqLoadState + "\n")
        }
        if arguments.first == "is-active" {
            return ExternalCommand.Result(status: 0, output: (activeStates.isEmpty ? "inactive" : activeStates.removeFirst()) + "\n")
        }
        if failing.contains(call) {
            return ExternalCommand.Result(status: 5, output: "Failed to stop dnsmasq.service: Unit dnsmasq.service not loaded.\n")
        }
        return ExternalCommand.Result(status: 0, output: "")
    }

    func journal(unit: String, lines: Int) -> [String] { journalLines }
}

/// The command line's own rules, before anything is read.
struct MigrateCommandLineTests {
    @Test("flags that contradict each other are usage errors", arguments: [
        ["--apply", "--undo"], ["--dry-run", "--apply"], ["--dry-run", "--undo"], ["--apply", "--root", "/tmp/hub"], ["--timeout", "0"],
    ])
    func contradictions(arguments: [String]) {
        #expect(throws: (any Error).self) { try MigrateCommand.parse(arguments) }
    }

    @Test("the defaults are the hub's own paths")
    func defaults() throws {
        let command = try MigrateCommand.parse([])
        #expect(command.root == "/" && command.dnsmasqConf == "/etc/dnsmasq.conf" && command.config == "/etc/bramble/bramble.conf")
        #expect(command.nodes == "/etc/bramble/nodes" && command.timeout == 30 && !command.apply && !command.undo)
    }
}

/// The real service manager's runner: systemctl's and journalctl's output and status.
struct ExternalCommandTests {
    @Test("standard output and error are collected in order, with the exit status")
    func outputAndStatus() {
        let result = ExternalCommand.run(["sh", "-c", "echo active; echo 'Failed to start' >&2; exit 3"])
        #expect(result == ExternalCommand.Result(status: 3, output: "active\nFailed to start\n"))
    }

    @Test("a program that is not there is status 127 with the reason; a signal is 128 + N")
    func missingAndSignalled() {
        let missing = ExternalCommand.run(["bramble-no-such-program"])
        #expect(missing.status == 127 && missing.output.hasPrefix("bramble-no-such-program: "))
        #expect(ExternalCommand.run(["sh", "-c", "kill -KILL $$"]).status == 128 + 9)
    }

    @Test("output beyond the bound is cut off, and the program still runs to its end")
    func boundedOutput() {
        let result = ExternalCommand.run(["sh", "-c", "yes | head -c 400000; exit 0"])
        #expect(result.status == 0 && result.output.utf8.count == ExternalCommand.maximumOutput)
    }
}
