import BrambleDHCP
import BrambleNodeMap
import BrambleWire
import CLibcap
import Glibc
import Logging

/// `bramble serve`: binds everything while privileged, drops privileges, then runs the one
/// event loop until SIGTERM or SIGINT. SIGHUP, or a save of the node map or config, reloads:
/// parse, validate, swap; an invalid edit is logged with file, line and reason and the old
/// map keeps serving.
public final class Daemon {
    /// How the daemon reads its files: given by the CLI, which owns file access and the
    /// config-loading rules, so the daemon and `bramble check` read them identically.
    public struct Sources {
        public var configPath: String?
        public var loadConfiguration: () throws -> BrambleConfig
        public var loadNodeMap: (BrambleConfig) throws -> NodeMap

        public init(configPath: String?, loadConfiguration: @escaping () throws -> BrambleConfig, loadNodeMap: @escaping (BrambleConfig) throws -> NodeMap) {
            self.configPath = configPath
            self.loadConfiguration = loadConfiguration
            self.loadNodeMap = loadNodeMap
        }
    }

    private let sources: Sources
    private var configuration: BrambleConfig
    private let logger: Logger
    private let loop: EventLoop
    private var dhcp: DHCPService?
    private var tftp: TFTPService?
    private var dns: DNSService?
    private var signals: SignalSource?
    private var watcher: FileWatcher?

    public init(configuration: BrambleConfig, sources: Sources, logger: Logger) throws(SystemCallError) {
        self.configuration = configuration
        self.sources = sources
        self.logger = logger
        loop = try EventLoop()
    }

    /// Serves until stopped. Everything that needs privileges happens before the drop;
    /// capabilities are per thread, and no other thread exists yet.
    public func run(nodeMap: NodeMap, dropPrivileges: Bool, capture: PacketCapture.Settings? = nil) throws {
        signals = try SignalSource(signals: [SIGTERM, SIGINT, SIGHUP], loop: loop) { [unowned self] signal in
            if signal == SIGHUP {
                self.logger.info("SIGHUP: reloading")
                self.reload()
            } else {
                self.logger.info("signal \(signal): stopping")
                self.loop.stop()
            }
        }
        let account = dropPrivileges ? PrivilegeDrop.account() : nil
        if dropPrivileges && account == nil {
            throw SystemCallError("getpwnam(bramble or nobody)", errno: ENOENT)
        }
        try prepareStateDirectory(owner: account)
        try startCapture(capture, owner: account)
        defer { loop.capture?.flush() }
        let journal = try openJournal()
        var responder = DHCPResponder(settings: responderSettings(configuration), nodeMap: nodeMap, pool: pool(configuration))
        responder.restore(journal.entries)
        dhcp = try DHCPService(
            interface: configuration.interface.name, hub: configuration.address, responder: responder,
            journal: journal.file, loop: loop, logger: logger)
        tftp = try TFTPService(
            interface: configuration.interface.name, hub: configuration.address.address, bootDirectory: configuration.bootDirectory,
            defaultRoot: Self.defaultRoot(configuration), nodeMap: nodeMap, limits: Self.tftpLimits(configuration), loop: loop,
            logger: logger
        ) { [unowned self] mac in self.dhcp?.serial(of: mac)?.description }
        try startDNS(nodeMap: nodeMap)
        watcher = try FileWatcher(paths: [configuration.nodesPath] + (sources.configPath.map { [$0] } ?? []), loop: loop) { [unowned self] changed in
            self.logger.info("changed on disk: \(changed.sorted().joined(separator: ", ")): reloading")
            self.reload()
        }
        if let account {
            try PrivilegeDrop.drop(to: account)
            logger.info("running as \(account.name) (uid \(account.uid)) with capabilities \(PrivilegeDrop.currentCapabilities())")
        }
        let enrolled = nodeMap.nodes.filter { $0.mac != nil }.count
        logger.notice("ready: DHCP on \(configuration.interface) as \(configuration.address), \(enrolled) of \(nodeMap.nodes.count) nodes enrolled, pool \(configuration.pool.map(String.init(describing:)) ?? "off"); TFTP from \(configuration.bootDirectory), blocks up to \(tftp?.maximumBlockSize ?? 0) bytes, \(configuration.tftpMaxTransfers) transfers at most (\(configuration.tftpMaxPerClient) per client)")
        try loop.run()
        logger.notice("stopped after \(dhcp?.requestsHandled ?? 0) DHCP requests and \(tftp?.transfersStarted ?? 0) TFTP transfers")
    }

    private func reload() {
        let newConfiguration: BrambleConfig
        let newMap: NodeMap
        do {
            newConfiguration = try sources.loadConfiguration()
            newMap = try sources.loadNodeMap(newConfiguration)
        } catch {
            logger.error("reload refused, still serving the previous node map and config:\n\(error)")
            return
        }
        if newConfiguration.interface != configuration.interface || newConfiguration.address != configuration.address
            || newConfiguration.pool != configuration.pool || newConfiguration.stateDirectory != configuration.stateDirectory {
            logger.warning("interface, address, pool and state-dir changes take effect at the next start of bramble serve")
        }
        if newConfiguration.nodesPath != configuration.nodesPath {
            logger.warning("the node map moved to \(newConfiguration.nodesPath); it is watched from the next start")
        }
        configuration = newConfiguration
        dhcp?.replaceNodeMap(newMap)
        tftp?.replaceNodeMap(newMap)
        tftp?.reconfigure(bootDirectory: newConfiguration.bootDirectory, defaultRoot: Self.defaultRoot(newConfiguration), limits: Self.tftpLimits(newConfiguration))
        dns?.replace(nodeMap: newMap, domain: newConfiguration.domain)
        dns?.replace(upstreams: DNSService.upstreams(
            configured: newConfiguration.upstreams, hub: newConfiguration.address.address, resolvConf: ResolvConf.defaultPath,
            logger: logger))
        let enrolled = newMap.nodes.filter { $0.mac != nil }.count
        logger.notice("reloaded: \(enrolled) of \(newMap.nodes.count) nodes enrolled")
    }

    /// `--capture`: opened before the services, so every socket they open records through it.
    private func startCapture(_ settings: PacketCapture.Settings?, owner: PrivilegeDrop.Account?) throws(SystemCallError) {
        guard let settings else { return }
        let capture = try PacketCapture(
            settings: settings, interface: configuration.interface.name, hubAddress: configuration.address.address, logger: logger)
        if let owner { capture.chown(to: owner.uid, gid: owner.gid) }
        capture.startFlushing(on: loop)
        loop.capture = capture
        logger.info("capturing DHCP, TFTP and DNS packets to \(settings.path) (rotated at \(settings.maximumBytes) bytes to \(settings.path).1)")
    }

    /// DNS on port 53, bound while privileged, fed by DHCP's events and leases.
    private func startDNS(nodeMap: NodeMap) throws(SystemCallError) {
        let upstreams = DNSService.upstreams(
            configured: configuration.upstreams, hub: configuration.address.address, resolvConf: ResolvConf.defaultPath, logger: logger)
        let dns = try DNSService(
            settings: .init(hub: configuration.address, domain: configuration.domain, upstreams: upstreams),
            nodeMap: nodeMap, loop: loop, logger: logger)
        dns.replaceLeases(dhcp?.activeLeases(now: Int64(time(nil))) ?? [])
        dhcp?.onEvent = { [unowned dns] in dns.dhcpObserved($0) }
        dhcp?.onLeasesChanged = { [unowned dns] in dns.replaceLeases($0) }
        self.dns = dns
    }

    private func prepareStateDirectory(owner: PrivilegeDrop.Account?) throws(SystemCallError) {
        let path = configuration.stateDirectory
        if mkdir(path, 0o750) != 0 && errno != EEXIST { throw SystemCallError("mkdir(\(path))") }
        if let owner, chown(path, owner.uid, owner.gid) != 0 { throw SystemCallError("chown(\(path))") }
    }

    private func openJournal() throws(SystemCallError) -> (file: LeaseJournalFile?, entries: [LeaseJournalEntry]) {
        guard configuration.pool != nil else { return (nil, []) }
        let (file, entries) = try LeaseJournalFile.open(configuration.stateDirectory + "/leases")
        return (file, entries)
    }

    private func responderSettings(_ configuration: BrambleConfig) -> DHCPResponderSettings {
        DHCPResponderSettings(
            hub: configuration.address, domain: configuration.domain.name, leaseSeconds: configuration.leaseTime.seconds,
            nfsRootDirectory: configuration.rootDirectory,
            // BootMenuText already holds the limits RaspberryPiBootMenu checks.
            bootMenu: (try? RaspberryPiBootMenu(text: configuration.piBootMenu.text)) ?? .padded,
            bootFileByArchitecture: configuration.pxeBootFiles.fileByArchitecture,
            iPXEBootFile: configuration.iPXEBootFile?.file,
            pi3BReplyDelayMilliseconds: configuration.pi3BReplyDelay.milliseconds)
    }

    /// `HUB:<pxe>/root`, the NFS root templates name for nodes without `root=`, as DHCP's option 17 does.
    private static func defaultRoot(_ configuration: BrambleConfig) -> String {
        "\(configuration.address.address):\(configuration.rootDirectory)"
    }

    private static func tftpLimits(_ configuration: BrambleConfig) -> TFTPService.Limits {
        TFTPService.Limits(total: configuration.tftpMaxTransfers.value, perClient: configuration.tftpMaxPerClient.value)
    }

    private func pool(_ configuration: BrambleConfig) -> LeasePool? {
        configuration.pool.map { LeasePool(first: $0.first, last: $0.last, reserved: []) }
    }
}
