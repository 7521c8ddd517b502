@testable import BrambleCommands
import BrambleNodeMap
import BrambleProcfs
import BrambleTestSupport
import BrambleWire
import Testing

/// `bramble serve`'s checks before binding, against a /proc laid out in a temporary
/// directory (the kernel's tables from Fixtures/procfs, fd links, comm and cgroup files).
struct ServePreflightTests {
    static let hub = IPv4Address(10, 42, 0, 250)

    /// A fake /proc where process 812 (dnsmasq) owns the sockets of `tables` whose inodes
    /// are listed, and process 77 (sshd) owns an unrelated socket and a file.
    static func fakeProc(tables: [String: String], dnsmasqInodes: [UInt64], cgroup: String = "0::/\n") throws -> TemporaryDirectory {
        let proc = try TemporaryDirectory()
        try proc.directory("net")
        for (name, fixture) in tables { try proc.file("net/\(name)", text: try TextFile.read(fixturePath("procfs/\(fixture)"))) }
        for pid in ["812", "77"] {
            try proc.directory(pid)
            try proc.directory("\(pid)/fd")
        }
        try proc.file("812/comm", text: "dnsmasq\n")
        try proc.file("812/cgroup", text: cgroup)
        try proc.file("77/comm", text: "sshd\n")
        for (fd, inode) in dnsmasqInodes.enumerated() { try proc.link("812/fd/\(fd + 4)", to: "socket:[\(inode)]") }
        try proc.link("812/fd/3", to: "/var/lib/misc/dnsmasq.leases")
        try proc.link("77/fd/3", to: "socket:[555]")
        try proc.directory("self")
        return proc
    }

    @Test("dnsmasq on the wildcard address: every served port is named with its pid and `kill PID`")
    func wildcardDnsmasq() throws {
        let proc = try Self.fakeProc(tables: ["udp": "wildcard-udp", "tcp": "wildcard-tcp"],
                                     dnsmasqInodes: [1_927_973, 1_927_970, 1_927_975, 1_927_974])
        let conflicts = PortHolderSearch(procRoot: proc.path).conflicts(on: Self.hub)
        let dnsmasq = PortHolder(processID: 812, command: "dnsmasq", service: nil)
        #expect(conflicts == PortHolderSearch.Port.served.map { PortHolderSearch.Conflict(port: $0, holders: [dnsmasq]) })
        let message = ServeStartupProblem.portsTaken(conflicts, address: Self.hub).message
        #expect(message == """
            bramble serve: another server holds ports bramble needs on 10.42.0.250:
              UDP port 67 (DHCP): held by dnsmasq (pid 812)
              UDP port 69 (TFTP): held by dnsmasq (pid 812)
              UDP port 53 (DNS): held by dnsmasq (pid 812)
              TCP port 53 (DNS): held by dnsmasq (pid 812)
            stop it first (`kill 812`), then start bramble serve again.
            Moving the hub from dnsmasq: `bramble migrate --apply` stops and disables it and starts bramble (docs/migrate.md).
            """)
    }

    @Test("dnsmasq.service bound to the hub's address: `systemctl stop dnsmasq`; its loopback and IPv6 sockets do not count")
    func serviceBoundToAddress() throws {
        let proc = try Self.fakeProc(
            tables: ["udp": "bind-interfaces-udp", "tcp6": "bind-interfaces-tcp6", "udp6": "bind-interfaces-udp6"],
            dnsmasqInodes: [1_930_356, 1_930_353, 1_930_350, 1_930_358, 1_930_355, 1_930_360],
            cgroup: "0::/system.slice/dnsmasq.service\n")
        let conflicts = PortHolderSearch(procRoot: proc.path).conflicts(on: Self.hub)
        #expect(conflicts.map(\.port.number) == [67, 69, 53])
        #expect(conflicts.allSatisfy { $0.holders.map(\.stopCommand) == ["systemctl stop dnsmasq"] })
        #expect(ServeStartupProblem.portsTaken(conflicts, address: Self.hub).message.contains("\nstop it first (`systemctl stop dnsmasq`), then start bramble serve again.\n"))
        #expect(PortHolderSearch(procRoot: proc.path).conflicts(on: IPv4Address(10, 42, 1, 250)).map(\.port.number) == [67])
    }

    @Test("the ports follow the configuration: no DNS with dns = off, the netconsole port when set")
    func portsServed() throws {
        let numbers = { (text: String) in
            try PortHolderSearch.Port.served(by: ConfigParser.parse(text, file: "bramble.conf").validated()).map { "\($0.transport.rawValue) \($0.number)" }
        }
        #expect(try numbers("") == ["UDP 67", "UDP 69", "UDP 53", "TCP 53"])
        #expect(try numbers("dns = off\nnetconsole-port = 6666\n") == ["UDP 67", "UDP 69", "UDP 6666"])
    }

    @Test("a socket whose owner is not visible is still reported, with how to look")
    func invisibleOwner() throws {
        let proc = try Self.fakeProc(tables: ["tcp": "wildcard-tcp"], dnsmasqInodes: [])
        let conflicts = PortHolderSearch(procRoot: proc.path).conflicts(on: Self.hub)
        #expect(conflicts == [PortHolderSearch.Conflict(port: PortHolderSearch.Port.served[3], holders: [])])
        #expect(ServeStartupProblem.portsTaken(conflicts, address: Self.hub).message == """
            bramble serve: another server holds ports bramble needs on 10.42.0.250:
              TCP port 53 (DNS): held by a process this user cannot see
            As root, `ss -lunpt` names every process holding a port (bramble.service cannot see other processes: ProtectProc=invisible).
            """)
    }

    @Test("the tables are read from /proc/self/net when it is there (systemd's ProcSubset=pid hides /proc/net)")
    func selfNet() throws {
        let proc = try Self.fakeProc(tables: [:], dnsmasqInodes: [1_927_973, 1_927_970, 1_927_975])
        try proc.directory("self/net")
        try proc.file("self/net/udp", text: try TextFile.read(fixturePath("procfs/wildcard-udp")))
        let conflicts = PortHolderSearch(procRoot: proc.path).conflicts(on: Self.hub)
        #expect(conflicts.map(\.port.number) == [67, 69, 53])
        #expect(conflicts.allSatisfy { $0.holders.map(\.processID) == [812] })
    }

    @Test("free ports, missing or unreadable tables: no conflict")
    func noConflict() throws {
        let proc = try Self.fakeProc(tables: [:], dnsmasqInodes: [])
        try proc.file("net/udp", text: "garbage that is not a table\n")
        #expect(PortHolderSearch(procRoot: proc.path).conflicts(on: Self.hub).isEmpty)
        #expect(PortHolderSearch(procRoot: proc.file("missing")).conflicts(on: Self.hub).isEmpty)
    }

    func configuration(_ lines: String) throws -> BrambleConfig {
        try ConfigParser.parse(lines, file: "bramble.conf").validated()
    }

    @Test("a missing interface, an address not on it and a missing boot tree each say what to do")
    func setupProblems() throws {
        let directory = try TemporaryDirectory()
        let missingInterface = try configuration("interface = nosuchif0\npxe = \(directory.path)\n")
        #expect(throws: ServeStartupProblem.noInterface("nosuchif0", where: "`interface` in /etc/x.conf (or --interface)")) {
            try ServePreflight(configuration: missingInterface, configPath: "/etc/x.conf").check()
        }
        let wrongAddress = try configuration("interface = lo\naddress = 10.42.0.250/24\npxe = \(directory.path)\n")
        #expect(throws: ServeStartupProblem.self) { try ServePreflight(configuration: wrongAddress, configPath: nil).check() }
        do {
            try ServePreflight(configuration: wrongAddress, configPath: nil).check()
        } catch {
            #expect(error.message == "bramble serve: lo has 127.0.0.1, not 10.42.0.250: add it (`ip addr add 10.42.0.250/24 dev lo`, "
                + "and in the hub's network configuration to keep it) or set `address` in bramble.conf (or --address) to the hub's address on lo.")
        }
        let noBoot = try configuration("interface = lo\naddress = 127.0.0.1/8\npxe = \(directory.path)\n")
        #expect(throws: ServeStartupProblem.noBootTree("\(directory.path)/boot", where: "`pxe` in bramble.conf (or --pxe)")) {
            try ServePreflight(configuration: noBoot, configPath: nil, procRoot: directory.file("noproc")).check()
        }
        #expect(ServeStartupProblem.noBootTree("/pxe/boot", where: "`pxe` in bramble.conf (or --pxe)").message
            == "bramble serve: there is no boot tree at /pxe/boot: copy the Raspberry Pi boot files (the image's boot partition) there, or set `pxe` in bramble.conf (or --pxe) to the directory that holds boot/.")
        try directory.directory("boot")
        try ServePreflight(configuration: noBoot, configPath: nil, procRoot: directory.file("noproc")).check()
    }
}
