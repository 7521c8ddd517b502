import BrambleBoot
import BrambleControl
import BrambleDHCP
import BrambleNodeMap
import BrambleTFTP
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
    private var recorder: BootRecorder?
    private var control: ControlServer?
    private var netconsole: NetconsoleService?
    /// `--capture`: handed to each service that opens sockets, which record through it.
    private var capture: PacketCapture?
    /// The one fan-out of DHCP's events, connected in ``connectBootEventSpine()``.
    private let dhcpEvents = DHCPEventFanOut()
    /// `Type=notify` under systemd: READY=1, RELOADING=1, STOPPING=1 (see ``SystemdNotifier``).
    private let notifier = SystemdNotifier()
    /// Proxy mode: the addresses the nodes were seen using, and what reads them.
    private var assignedAddresses: AssignedAddresses?
    /// The node map as loaded; TFTP, DNS and the recorder get it with the assigned addresses.
    private var baseNodeMap: NodeMap?
    private var frameWatch: TFTPRequestFrameWatch?
    /// The pending rebuild of the DNS zone after addresses were learned.
    private var zoneRefresh: EventLoop.TimerID?
    /// When the daemon started (epoch ms), for `counters`.
    private let startTime = WallClock.milliseconds()
    /// The release and revision `hello` reports; the CLI sets it (its build knows them).
    public var version = "unknown"

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
                _ = self.reload()
            } else {
                self.logger.info("signal \(signal): stopping")
                self.notifier?.stopping()
                self.loop.stop()
            }
        }
        let account = dropPrivileges && PrivilegeDrop.startedAsRoot ? PrivilegeDrop.account() : nil
        if dropPrivileges && PrivilegeDrop.startedAsRoot && account == nil {
            throw SystemCallError("getpwnam(bramble or nobody)", errno: ENOENT)
        }
        let state = try prepareStateDirectory(owner: account)
        self.capture = try startCapture(capture, owner: account)
        defer { self.capture?.flush() }
        let journal = try openJournal(in: state.directory, owner: account)
        var responder = DHCPResponder(settings: DHCPResponderSettings(configuration), nodeMap: nodeMap, pool: LeasePool(configuration))
        responder.restore(journal.entries)
        dhcp = try DHCPService(
            interface: configuration.interface.name, hub: configuration.address, responder: responder,
            journal: journal.file, capture: self.capture, loop: loop, logger: logger)
        tftp = try TFTPService(
            interface: configuration.interface.name, hub: configuration.address.address, bootDirectory: configuration.bootDirectory,
            defaultRoot: configuration.defaultNFSRoot, nodeMap: nodeMap, limits: Self.tftpLimits(configuration), loop: loop,
            capture: self.capture, logger: logger
        ) { [unowned self] mac in
            RaspberryPiDHCPReport(serial: self.dhcp?.serial(of: mac)?.description, bootloaderGeneration: self.dhcp?.bootloaderGeneration(of: mac))
        }
        if configuration.dns == .on { try startDNS(nodeMap: nodeMap) }
        try startProxyAddressing(nodeMap: nodeMap)
        recorder = BootRecorder(nodeMap: addressed(nodeMap), logs: state.logs, logger: logger)
        try startNetconsole()
        try startControl(in: state.directory, owner: account)
        connectBootEventSpine()
        watcher = try FileWatcher(paths: [configuration.nodesPath] + (sources.configPath.map { [$0] } ?? []), loop: loop) { [unowned self] changed in
            self.logger.info("changed on disk: \(changed.sorted().joined(separator: ", ")): reloading")
            _ = self.reload()
        }
        if let account {
            try PrivilegeDrop.drop(to: account)
            logger.info("running as \(account.name) (uid \(account.uid)) with capabilities \(PrivilegeDrop.currentCapabilities())")
        } else if dropPrivileges {
            try PrivilegeDrop.shedCapabilities()
            logger.info("running as uid \(getuid()) with capabilities \(PrivilegeDrop.currentCapabilities())")
        }
        let enrolled = nodeMap.nodes.filter { $0.mac != nil }.count
        logger.notice("ready: \(configuration.dhcpMode == .proxy ? "proxyDHCP (boot options only)" : "DHCP") on \(configuration.interface) as \(configuration.address), \(enrolled) of \(nodeMap.nodes.count) nodes enrolled, pool \(configuration.pool.map(String.init(describing:)) ?? "off"); TFTP from \(configuration.bootDirectory), blocks up to \(tftp?.maximumBlockSize ?? 0) bytes, \(configuration.tftpMaxTransfers) transfers at most (\(configuration.tftpMaxPerClient) per client)")
        notifier?.ready(status: readyStatus)
        try loop.run()
        recorder?.onRecord = nil
        control = nil
        logger.notice("stopped after \(dhcp?.requestsHandled ?? 0) DHCP requests and \(tftp?.transfersStarted ?? 0) TFTP transfers")
        if let netconsole { logger.notice("\(netconsole.summary)") }
    }

    /// Why a reload kept the previous node map and config: the files' problems, as logged.
    struct ReloadRefused: Error {
        let reason: String
    }

    /// Rereads, validates and swaps; returns what the log says, for `bramble` over the control socket.
    private func reload() -> Result<String, ReloadRefused> {
        notifier?.reloading()
        defer { notifier?.ready(status: readyStatus) }
        let newConfiguration: BrambleConfig
        let newMap: NodeMap
        do {
            newConfiguration = try sources.loadConfiguration()
            newMap = try sources.loadNodeMap(newConfiguration)
        } catch {
            let reason = "reload refused, still serving the previous node map and config:\n\(error)"
            logger.error("\(reason)")
            return .failure(ReloadRefused(reason: reason))
        }
        if newConfiguration.interface != configuration.interface || newConfiguration.address != configuration.address
            || newConfiguration.pool != configuration.pool || newConfiguration.stateDirectory != configuration.stateDirectory
            || newConfiguration.netconsolePort != configuration.netconsolePort {
            logger.warning("interface, address, pool, state-dir and netconsole-port changes take effect at the next start of bramble serve")
        }
        if newConfiguration.nodesPath != configuration.nodesPath {
            logger.warning("the node map moved to \(newConfiguration.nodesPath); it is watched from the next start")
        }
        if newConfiguration.dhcpMode != configuration.dhcpMode || newConfiguration.dns != configuration.dns {
            logger.warning("dhcp-mode and dns changes take effect at the next start of bramble serve")
        }
        configuration = newConfiguration
        dhcp?.replaceNodeMap(newMap)
        if let old = baseNodeMap { assignedAddresses = assignedAddresses?.keeping(nodesOf: newMap, unchangedFrom: old) }
        baseNodeMap = newMap
        let served = addressed(newMap)
        tftp?.replaceNodeMap(served)
        tftp?.reconfigure(bootDirectory: newConfiguration.bootDirectory, defaultRoot: newConfiguration.defaultNFSRoot, limits: Self.tftpLimits(newConfiguration))
        dns?.replace(nodeMap: served, domain: newConfiguration.domain)
        dns?.replace(upstreams: DNSService.upstreams(
            configured: newConfiguration.upstreams, hub: newConfiguration.address.address, resolvConf: ResolvConf.defaultPath,
            logger: logger))
        recorder?.replaceNodeMap(served)
        let enrolled = newMap.nodes.filter { $0.mac != nil }.count
        let message = "reloaded: \(enrolled) of \(newMap.nodes.count) nodes enrolled"
        logger.notice("\(message)")
        return .success(message)
    }

    /// The control socket, bound while privileged in the state directory (by its
    /// descriptor) and handed to the account the daemon drops to.
    private func startControl(in state: DirectoryHandle, owner: PrivilegeDrop.Account?) throws {
        let control = try ControlServer(
            directory: state, name: "control.sock", owner: owner.map { ($0.uid, $0.gid) }, loop: loop, logger: logger
        ) { [unowned self] request, connection in self.serve(request, on: connection) }
        self.control = control
    }

    private func serve(_ request: ControlRequest, on connection: ControlConnection) {
        guard let recorder else { return }
        switch request.command {
        case .status:
            connection.send(ControlResponse(status: recorder.status(now: WallClock.milliseconds())))
        case .history:
            guard let node = node(named: request.node, for: connection) else { return }
            connection.send(ControlResponse(history: recorder.history(of: node)))
        case .reload:
            switch reload() {
            case .success(let message): connection.send(ControlResponse(message: message))
            case .failure(let refusal): connection.send(ControlResponse(error: refusal.reason))
            }
        case .follow:
            if request.node == nil {
                connection.subscription = .bootEvents(nodeID: nil)
                connection.send(ControlResponse(message: "following every node's boot events"))
            } else if let node = node(named: request.node, for: connection) {
                connection.subscription = .bootEvents(nodeID: node.id)
                connection.send(ControlResponse(message: "following \(node.name)'s boot events"))
            }
        case .discoveries:
            connection.subscription = .discoveries
            connection.send(ControlResponse(message: "following DHCP requests from MACs outside the node map"))
        case .hello:
            connection.send(ControlResponse(hello: ControlHello(version: version)))
        case .counters:
            connection.send(ControlResponse(counters: counters(bootDurations: recorder.bootDurations)))
        }
    }

    /// Every service's counters and the process's usage now: read on request, so a client
    /// that never asks costs nothing.
    private func counters(bootDurations: DurationHistogram) -> DaemonCounters {
        let now = WallClock.milliseconds()
        let usage = ProcessUsage.read()
        return DaemonCounters(
            time: now,
            dhcp: (dhcp?.tally ?? DHCPTally()).snapshot(pool: dhcp?.poolCounters(now: now / 1000)),
            tftp: (tftp?.tally ?? TFTPTally()).snapshot(inFlight: tftp?.activeTransfers ?? 0),
            dns: dns?.counters(),
            boot: BootCounters(duration: bootDurations),
            process: ProcessCounters(
                cpuUserSeconds: usage.cpuUserSeconds, cpuSystemSeconds: usage.cpuSystemSeconds, residentBytes: usage.residentBytes,
                anonymousResidentBytes: usage.anonymousResidentBytes, openDescriptors: usage.openDescriptors,
                maximumDescriptors: usage.maximumDescriptors, startTime: startTime, eventLoopLag: loop.timerLag,
                eventLoopLagMaximumMicroseconds: loop.maximumTimerLagMicroseconds))
    }

    /// The node a request names by ID, name or MAC; answers the error itself when there is none.
    private func node(named reference: String?, for connection: ControlConnection) -> NodeEntry? {
        guard let reference, let recorder else {
            connection.send(ControlResponse(error: "name a node: its ID, name or MAC"))
            return nil
        }
        guard let node = recorder.nodeMap.node(matching: reference) else {
            connection.send(ControlResponse(error: "no node \(reference) in \(configuration.nodesPath): give an ID, a name or a MAC of the node map"))
            return nil
        }
        return node
    }

    /// `--capture`: opened before the services, so every socket they open records through it.
    /// The file is opened without following links and handed to the account on its
    /// descriptor, so that account can go on rotating it (see ``CaptureFile``).
    private func startCapture(_ settings: PacketCapture.Settings?, owner: PrivilegeDrop.Account?) throws -> PacketCapture? {
        guard let settings else { return nil }
        let capture = try PacketCapture(
            settings: settings, interface: configuration.interface.name, hubAddress: configuration.address.address, owner: owner, logger: logger)
        capture.startFlushing(on: loop)
        logger.info("capturing DHCP, TFTP and DNS packets to \(settings.path) (rotated at \(settings.maximumBytes) bytes to \(settings.path).1)")
        return capture
    }

    /// DNS on port 53, bound while privileged, fed by DHCP's leases (and its events, through
    /// the spine).
    private func startDNS(nodeMap: NodeMap) throws(SystemCallError) {
        let upstreams = DNSService.upstreams(
            configured: configuration.upstreams, hub: configuration.address.address, resolvConf: ResolvConf.defaultPath, logger: logger)
        let dns = try DNSService(
            settings: .init(hub: configuration.address, domain: configuration.domain, upstreams: upstreams),
            nodeMap: nodeMap, loop: loop, capture: capture, logger: logger)
        dns.replaceLeases(dhcp?.activeLeases(now: Int64(time(nil))) ?? [])
        dhcp?.onLeasesChanged = { [unowned dns] in dns.replaceLeases($0) }
        self.dns = dns
    }

    /// Proxy mode: nodes get their addresses from another server, so TFTP, DNS and status
    /// learn each node's from what it sends: its DHCP REQUESTs (option 50, ciaddr) and the
    /// frames of its TFTP requests (docs/proxy-dhcp.md).
    private func startProxyAddressing(nodeMap: NodeMap) throws(SystemCallError) {
        baseNodeMap = nodeMap
        guard configuration.dhcpMode == .proxy else { return }
        assignedAddresses = AssignedAddresses()
        let watch = try TFTPRequestFrameWatch(interface: configuration.interface.name, loop: loop)
        watch.onSource = { [unowned self] mac, address in
            guard let map = self.baseNodeMap,
                  let sighting = NodeAddressSighting.fromFrame(sourceMAC: mac, sourceAddress: address, nodeMap: map, hub: self.configuration.address)
            else { return }
            // The Pi 3B ROM stops answering ARP during its transfers: the hub must not need to ask.
            self.dhcp?.seedARP(DHCPResponse.ARPEntry(address: address, mac: mac))
            self.learn(sighting, from: "its TFTP request")
        }
        tftp?.beforeReadRequest = { [unowned watch] in watch.drain() }
        dhcp?.onSighting = { [unowned self] sighting in self.learn(sighting, from: "its DHCP REQUEST") }
        frameWatch = watch
        let addressed = addressed(nodeMap)
        tftp?.replaceNodeMap(addressed)
        dns?.replace(nodeMap: addressed, domain: configuration.domain)
    }

    /// Records a node's address; on a change, TFTP and the recorder get the new map at once
    /// (the request at hand needs it) and DNS soon after.
    private func learn(_ sighting: NodeAddressSighting, from source: String) {
        guard var assigned = assignedAddresses, let map = baseNodeMap, assigned.assign(sighting.address, toNode: sighting.nodeID) else { return }
        assignedAddresses = assigned
        let addressed = map.addressed(by: assigned)
        tftp?.replaceNodeMap(addressed)
        recorder?.replaceNodeMap(addressed)
        refreshZoneSoon()
        let node = map.node(id: sighting.nodeID)
        logger.info("\(node?.name ?? "node \(sighting.nodeID)") uses \(sighting.address), seen in \(source)",
                    metadata: ["peer": "\(node?.mac.map(String.init(describing:)) ?? "\(sighting.nodeID)")"])
    }

    /// Rebuilds the DNS zone with the learned addresses, at most once per
    /// ``zoneRefreshMilliseconds``: anyone on the LAN can send REQUESTs in a node's name, and
    /// a flood of them must not make the loop rebuild the zone for every packet.
    private func refreshZoneSoon() {
        guard dns != nil, zoneRefresh == nil else { return }
        zoneRefresh = loop.schedule(afterMilliseconds: Self.zoneRefreshMilliseconds) { [unowned self] in
            self.zoneRefresh = nil
            if let map = self.baseNodeMap { self.dns?.replace(nodeMap: self.addressed(map), domain: self.configuration.domain) }
        }
    }

    static let zoneRefreshMilliseconds = 100

    /// The map with the learned addresses in proxy mode; unchanged in server mode.
    private func addressed(_ map: NodeMap) -> NodeMap {
        assignedAddresses.map { map.addressed(by: $0) } ?? map
    }

    /// The boot-event spine, connected here and nowhere else (docs/architecture.md, "The
    /// boot-event spine"), once every service exists. DHCP's events fan out through
    /// ``dhcpEvents`` in its fixed order (DNS's watch, the recorder, discovery followers);
    /// TFTP, DNS (by the node their client address is) and netconsole feed the one recorder;
    /// the recorder's records go to the control socket's followers. Boot-log times are
    /// wall-clock milliseconds: an operator reads them (see ``WallClock``).
    private func connectBootEventSpine() {
        guard let recorder else { return }
        if let dns { dhcpEvents.connect(.dnsBootWatch) { [unowned dns] event in dns.dhcpObserved(event) } }
        dhcpEvents.connect(.bootRecorder) { [unowned recorder] event in recorder.record(event, time: WallClock.milliseconds()) }
        if let control { dhcpEvents.connect(.discoveryFollowers) { [unowned control] event in control.publishDiscovery(of: event, time: WallClock.milliseconds()) } }
        let fanOut = dhcpEvents
        dhcp?.onEvent = { event in fanOut.dispatch(event) }
        tftp?.onBootEvent = { [unowned recorder] address, kind in
            guard let node = recorder.nodeMap.node(address: address) else { return }
            recorder.record(kind, nodeID: node.id, time: WallClock.milliseconds())
        }
        dns?.onFirstQuery = { [unowned recorder] node in recorder.record(.firstDNSQuery, nodeID: node.id, time: WallClock.milliseconds()) }
        netconsole?.onLines = { [unowned recorder] nodeID, events in recorder.record(events, nodeID: nodeID, time: WallClock.milliseconds()) }
        if let control {
            recorder.onRecord = { [unowned control] record in control.publish(record) }
            recorder.isFollowed = { [unowned control] in control.isFollowingBootEvents }
        }
    }

    /// `netconsole-port`: the bootloader's log into the boot log of the node whose address
    /// sent it, bound while privileged (SO_BINDTODEVICE needs CAP_NET_RAW).
    private func startNetconsole() throws(SystemCallError) {
        guard let port = configuration.netconsolePort, let recorder else { return }
        // In proxy mode no node's address is known yet at the start: no example then.
        let example = recorder.nodeMap.nodes.first.flatMap { node in
            recorder.nodeMap.knownAddress(of: node).map { "\(port.eepromLine(node: $0, hub: configuration.address.address)) (node \(node.id))" }
        }
        netconsole = try NetconsoleService(
            interface: configuration.interface.name, port: port.value, enabling: example, loop: loop, capture: capture, logger: logger
        ) { [unowned recorder] address in
            recorder.nodeMap.node(address: address)?.id
        }
    }

    /// The state directory and its `logs/`, opened once by descriptor and owned by the
    /// account the daemon drops to, which writes leases and boot logs from then on. Every
    /// file in them is opened relative to these descriptors without following links (see
    /// ``DirectoryHandle``), so nothing that account left there can lead root elsewhere.
    private func prepareStateDirectory(owner: PrivilegeDrop.Account?) throws(UnsafeFileError) -> (directory: DirectoryHandle, logs: NodeLogDirectory) {
        let directory = try DirectoryHandle.openState(configuration.stateDirectory, owner: owner)
        let logs = NodeLogDirectory(directory: try directory.subdirectory("logs", owner: owner))
        if let owner { try logs.handOver(to: owner) }
        return (directory, logs)
    }

    private func openJournal(in state: DirectoryHandle, owner: PrivilegeDrop.Account?) throws(UnsafeFileError) -> (file: LeaseJournal?, entries: [LeaseJournalEntry]) {
        guard configuration.pool != nil else { return (nil, []) }
        let opened = try LeaseJournalFile.open(in: state, name: "leases", owner: owner)
        if opened.skippedLines > 0 {
            logger.warning("lease journal \(opened.file.path): skipped \(opened.skippedLines) damaged lines (a write cut short by a full disk or an I/O error); every intact lease was read")
        }
        return (LeaseJournal(file: opened.file, entries: opened.entries, leaseSeconds: Int(configuration.leaseTime.seconds)), opened.entries)
    }

    /// What `systemctl status` shows while serving.
    private var readyStatus: String {
        let nodes = recorder?.nodeMap.nodes ?? []
        return "serving \(nodes.filter { $0.mac != nil }.count) of \(nodes.count) nodes on \(configuration.interface) as \(configuration.address)"
    }

    private static func tftpLimits(_ configuration: BrambleConfig) -> TFTPService.Limits {
        TFTPService.Limits(total: configuration.tftpMaxTransfers.value, perClient: configuration.tftpMaxPerClient.value)
    }
}
