import BrambleWire

/// Everything `bramble serve` takes from its configuration, after the file, the built-in
/// defaults and the command-line flags have been merged and checked against each other.
///
/// Values come only from `ConfigDraft.validated()` (or `defaults`), so holding one means the
/// settings are consistent: the pool lies inside the subnet and misses the hub, no upstream is
/// the hub itself. That is what lets a reload swap a new configuration in without re-checking.
public struct BrambleConfig: Hashable, Sendable {
    /// The cluster interface the DHCP, TFTP and DNS sockets bind to.
    public internal(set) var interface: InterfaceName
    /// The hub's address on that interface; its prefix defines the cluster subnet.
    public internal(set) var address: IPv4Interface
    /// The DNS domain bramble is authoritative for.
    public internal(set) var domain: DomainName
    /// The node map file (`ID MAC [name] ...`).
    public internal(set) var nodesPath: String
    /// The directory holding `boot/` (served over TFTP) and `root/` (exported over NFS).
    public internal(set) var pxeDirectory: String
    /// Leases, boot logs and the control socket.
    public internal(set) var stateDirectory: String
    /// Resolvers for names outside the cluster, in order. Empty means "use the hub's
    /// resolv.conf, minus the hub itself": the server decides that at start, not this parser.
    public internal(set) var upstreams: [UpstreamServer]
    public internal(set) var leaseTime: LeaseDuration
    /// The dynamic pool for machines not in the node map; nil when off (the default on a
    /// managed cluster, where an unknown machine should not get an address).
    public internal(set) var pool: AddressPool?
    public internal(set) var logLevel: LogLevel
    /// The log file; nil means standard error (where systemd's journal picks it up).
    public internal(set) var logFile: String?
    /// Boot files for non-Pi PXE clients by option 93 architecture.
    public internal(set) var pxeBootFiles: PXEBootFiles
    /// The boot file for iPXE clients (option 175), e.g. an iPXE script; nil: none.
    public internal(set) var iPXEBootFile: IPXEBootFile?
    public internal(set) var pi3BReplyDelay: ReplyDelay
    public internal(set) var piBootMenu: BootMenuText
    /// Concurrent TFTP transfers at most, over all clients. dnsmasq's 50 is too few for a
    /// 48-node module whose firmware probes files twice (coinboot#67).
    public internal(set) var tftpMaxTransfers: TransferLimit
    /// Concurrent TFTP transfers at most from one client address. One address may be many
    /// clients (a test host, nodes behind a NAT), so the default binds no earlier than
    /// the total; one address never holds more than half of `tftpMaxTransfers` anyway
    /// (`TFTPAdmission.clientShare`).
    public internal(set) var tftpMaxPerClient: TransferLimit
    /// Where the Pi 4/5 bootloader's netconsole log is received (docs/netconsole.md); nil: off.
    public internal(set) var netconsolePort: NetconsolePort?
    /// The full DHCP server, or proxyDHCP beside the network's own server (docs/proxy-dhcp.md).
    public internal(set) var dhcpMode: DHCPMode = .server
    /// Whether the DNS sockets are bound at all.
    public internal(set) var dns: DNSMode = .on
    /// Paths in a node's root that `bramble roots update` keeps (docs/roots.md).
    public internal(set) var rootsKeep = RootsKeepList()
    /// The exports file `bramble roots export` writes, one line per node root (docs/nfs.md);
    /// its own file in `/etc/exports.d` so the operator's `/etc/exports` stays theirs.
    public internal(set) var exportsFile: String = "/etc/exports.d/bramble.exports"
    /// The serial line to the Edge Rack's BMC (`bramble bmc`, `--power bmc`; docs/bmc.md).
    public internal(set) var bmcDevice: String = "/dev/serial0"
    /// How often `bramble web` reads the BMC's current and fan per bay; off by default.
    public internal(set) var bmcPoll: BMCPollInterval = .off
    /// Where `bramble web` serves the dashboard and /metrics; off unless the operator says.
    public internal(set) var webListen: WebListen = .off
    /// The one user `bramble web` admits with basic authentication; nil: no authentication.
    public internal(set) var webUser: WebUser?
    /// The file holding that user's bcrypt password hash (`bramble web hash-password`).
    public internal(set) var webPasswordFile: String?

    /// The values used for every key the file and flags leave unset: the hub of docs/design.md.
    public static let defaults = BrambleConfig(
        interface: try! InterfaceName(parsing: "eth0"),
        address: try! IPv4Interface(parsingHubAddress: "10.42.0.250/24"),
        domain: try! DomainName(parsing: "cluster"),
        nodesPath: "/etc/bramble/nodes",
        pxeDirectory: "/pxe",
        stateDirectory: "/var/lib/bramble",
        upstreams: [],
        leaseTime: try! LeaseDuration(parsing: "12h"),
        pool: nil,
        logLevel: .info,
        logFile: nil,
        pxeBootFiles: .none,
        iPXEBootFile: nil,
        pi3BReplyDelay: .piserverDefault,
        piBootMenu: .padded,
        tftpMaxTransfers: try! TransferLimit(256),
        tftpMaxPerClient: try! TransferLimit(256),
        netconsolePort: nil
    )

    public var subnet: IPv4Subnet { address.subnet }
    /// `<pxe>/boot`, the TFTP root.
    public var bootDirectory: String { ConfigPath.resolve("boot", relativeTo: pxeDirectory) }
    /// `<pxe>/root`, where the nodes' NFS roots live.
    public var rootDirectory: String { ConfigPath.resolve("root", relativeTo: pxeDirectory) }
    /// `HUB:<pxe>/root`: the NFS root DHCP's option 17 and the boot-file templates name for
    /// nodes without `root=`.
    public var defaultNFSRoot: String { "\(address.address):\(rootDirectory)" }
}
