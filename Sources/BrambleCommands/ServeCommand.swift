import ArgumentParser
import BrambleNodeMap
import BrambleServer
import Glibc
import Logging

/// `bramble serve`: the daemon.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve DHCP, TFTP and DNS for the node map on the cluster interface.",
        discussion: """
            Answers DHCP from the node map on a raw socket bound to the cluster interface, with \
            the Raspberry Pi boot options; TFTP read requests on port 69 of the hub address \
            from <pxe>/boot (Pi serial prefixes, per-node nodes/NAME/ files and .tmpl templates; \
            read-only; at most tftp-max-transfers transfers, tftp-max-per-client per client, \
            refused with "server busy" beyond); and DNS for the cluster domain and its reverse \
            zone on the hub's address (UDP and TCP port 53; other names are forwarded to the \
            upstream resolvers, and clients outside the cluster subnet are refused). It reloads \
            the node map and config when they are saved or on SIGHUP (an invalid edit is logged \
            and the previous map keeps serving). Every node's boot goes to \
            <state-dir>/logs/NAME.log, and `bramble status`, `logs`, `enroll` and `power-on` reach \
            the daemon through <state-dir>/control.sock. SIGTERM or SIGINT stops it. It needs root to bind its sockets, then drops to the \
            `bramble` user (or `nobody`) keeping only CAP_NET_ADMIN, which seeding the ARP table \
            for Pi 3B clients needs. Started as another user with CAP_NET_RAW, CAP_NET_BIND_SERVICE \
            and CAP_NET_ADMIN as ambient capabilities (bramble.service), it keeps that user and \
            sheds all but CAP_NET_ADMIN. Under systemd (Type=notify) it sends READY=1 once bound, \
            RELOADING=1 and READY=1 around a reload, and STOPPING=1. Before binding it checks that \
            the interface exists, has the hub's address and that <pxe>/boot exists, and that no \
            other server (dnsmasq, most often) holds UDP 67, 69 or UDP/TCP 53 there: it then exits \
            naming the process and the command that stops it.
            """
    )

    @OptionGroup var config: ConfigOptions
    @Flag(help: "Keep running as the user that started bramble (for tests and containers).")
    var noDropPrivileges = false
    @Option(help: ArgumentHelp(
        "Record every DHCP, TFTP and DNS packet received and sent, as Ethernet frames in a pcap file (tcpdump -r, Wireshark, bramble replay).",
        valueName: "FILE.pcap"))
    var capture: String?
    @Option(help: ArgumentHelp(
        "The capture file's bound, e.g. 64MiB; a full file is moved to FILE.pcap.1 and a new one started. (default: 64MiB)",
        valueName: "SIZE"), transform: ByteSize.parse)
    var captureSize: Int = 64 << 20

    func run() throws {
        let configuration = try config.loadConfiguration()
        try ServePreflight(configuration: configuration, configPath: config.configFilePath()).check()
        let sink = try configuration.logFile.map { path throws(UnsafeFileError) in try LogSink.file(path) } ?? .standardError
        let level = Logger.Level(rawValue: configuration.logLevel.rawValue) ?? .info
        let rateLimiter = LogRateLimiter()
        let logger = Logger(label: "bramble") { LineLogHandler(label: $0, level: level, sink: sink, rateLimiter: rateLimiter) }
        let nodeMap = try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load()
        let options = config
        let sources = Daemon.Sources(
            configPath: config.configFilePath(),
            loadConfiguration: { try options.loadConfiguration() },
            loadNodeMap: { configuration in try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load() })
        let daemon = try Daemon(configuration: configuration, sources: sources, logger: logger)
        daemon.version = "\(BuildInfo.version) (\(BuildInfo.revision))"
        let captureSettings = capture.map { PacketCapture.Settings(path: $0, maximumBytes: captureSize) }
        try daemon.run(nodeMap: nodeMap, dropPrivileges: !noDropPrivileges, capture: captureSettings)
    }
}

extension SystemCallError: UserFacingError {
    public var message: String {
        var text = "bramble serve: \(description)"
        switch errno {
        case EPERM, EACCES: text += "\n  bramble serve needs root to open its raw socket and bind ports 53, 67 and 69 (it drops privileges once bound)"
        case EADDRINUSE: text += "\n  another server holds the port: is dnsmasq still running on this interface? (systemctl stop dnsmasq)"
        case ENODEV, ENXIO: text += "\n  no such interface: set `interface` in bramble.conf or pass --interface"
        default: break
        }
        return text
    }
}

extension UnsafeFileError: UserFacingError {
    public var message: String {
        if case .system(let error) = self { return error.message }
        return "bramble serve: \(description)"
    }
}
