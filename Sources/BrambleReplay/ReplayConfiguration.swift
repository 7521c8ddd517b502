import BrambleDHCP
import BrambleDNS
import BrambleNodeMap
import BrambleTFTP
import BrambleWire

/// What the responders need to answer as the daemon would: the node map and config, and the
/// boot tree as two lookups, so tests hand in memory and `bramble replay` the disk.
public struct ReplayConfiguration {
    public var hub: IPv4Interface
    public var nodeMap: NodeMap
    public var dhcp: DHCPResponderSettings
    public var pool: LeasePool?
    public var domain: DomainName
    public var upstreams: [UpstreamServer]
    /// `HUB:<pxe>/root`, what boot-file templates render for `{{root}}` by default.
    public var defaultRoot: String
    public var tftpLimits: TFTPServerLimits
    /// `tftp-max-transfers` and `tftp-max-per-client`: replay refuses as busy when the
    /// daemon would.
    public var tftpAdmission: TFTPAdmission
    /// The boot tree's shape, for the path resolver.
    public var bootTree: any TFTPBootTree
    /// A boot file's bytes by its path relative to the boot root; nil when it cannot be read.
    public var bootFile: (String) -> [UInt8]?

    /// The two lookups as the tree ``TFTPServer`` serves from. A file the tree shows and
    /// ``bootFile`` cannot read is "denied", answered "access violation" as the daemon
    /// answers a file it cannot open.
    var servedTree: ReplayBootTree { ReplayBootTree(shape: bootTree, bootFile: bootFile) }

    public init(
        hub: IPv4Interface, nodeMap: NodeMap, dhcp: DHCPResponderSettings, pool: LeasePool?, domain: DomainName,
        upstreams: [UpstreamServer], defaultRoot: String, tftpLimits: TFTPServerLimits = TFTPServerLimits(interfaceMTU: 1500),
        tftpAdmission: TFTPAdmission = TFTPAdmission(
            total: BrambleConfig.defaults.tftpMaxTransfers.value, perClient: BrambleConfig.defaults.tftpMaxPerClient.value),
        bootTree: any TFTPBootTree, bootFile: @escaping (String) -> [UInt8]?
    ) {
        self.hub = hub
        self.nodeMap = nodeMap
        self.dhcp = dhcp
        self.pool = pool
        self.domain = domain
        self.upstreams = upstreams
        self.defaultRoot = defaultRoot
        self.tftpLimits = tftpLimits
        self.tftpAdmission = tftpAdmission
        self.bootTree = bootTree
        self.bootFile = bootFile
    }

    /// The settings `bramble serve` derives from the same config (see Daemon).
    public init(config: BrambleConfig, nodeMap: NodeMap, bootTree: any TFTPBootTree, bootFile: @escaping (String) -> [UInt8]?) {
        self.init(
            hub: config.address, nodeMap: nodeMap,
            dhcp: DHCPResponderSettings(config),
            pool: LeasePool(config),
            domain: config.domain, upstreams: config.upstreams,
            defaultRoot: config.defaultNFSRoot,
            tftpAdmission: TFTPAdmission(total: config.tftpMaxTransfers.value, perClient: config.tftpMaxPerClient.value),
            bootTree: bootTree, bootFile: bootFile)
    }
}

/// ``ReplayConfiguration``'s boot tree and boot files as one ``TFTPServedTree``.
struct ReplayBootTree: TFTPServedTree {
    let shape: any TFTPBootTree
    let bootFile: (String) -> [UInt8]?

    func entry(at relativePath: String) -> TFTPBootTreeEntry { shape.entry(at: relativePath) }

    func open(_ relativePath: String) -> TFTPBootFileOpening {
        guard let bytes = bootFile(relativePath) else { return .denied(reason: "\(relativePath) cannot be read") }
        return .opened(bytes)
    }
}
