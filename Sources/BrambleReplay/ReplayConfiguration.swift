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
    /// The boot tree's shape, for the path resolver.
    public var bootTree: any TFTPBootTree
    /// A boot file's bytes by its path relative to the boot root; nil when it cannot be read.
    public var bootFile: (String) -> [UInt8]?

    public init(
        hub: IPv4Interface, nodeMap: NodeMap, dhcp: DHCPResponderSettings, pool: LeasePool?, domain: DomainName,
        upstreams: [UpstreamServer], defaultRoot: String, tftpLimits: TFTPServerLimits = TFTPServerLimits(interfaceMTU: 1500),
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
            bootTree: bootTree, bootFile: bootFile)
    }
}
