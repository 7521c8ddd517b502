import BrambleNodeMap
import BrambleWire

/// What the responder needs from the configuration: the hub's place in the network and the
/// boot choices. Built by the server from `BrambleConfig`.
public struct DHCPResponderSettings: Sendable {
    /// The hub's address and the cluster subnet: server identifier, router, DNS, TFTP server.
    public var hub: IPv4Interface
    public var domain: String
    public var leaseSeconds: UInt32
    /// The NFS export on the hub that option 17 names for nodes without `root=`.
    public var nfsRootDirectory: String
    /// Option 43 for Raspberry Pi clients (docs/raspberry-pi-netboot.md).
    public var bootMenu: RaspberryPiBootMenu
    /// Boot file for non-Pi PXE clients by option 93 architecture (0 BIOS, 7/9 UEFI x64 ...).
    public var bootFileByArchitecture: [UInt16: String]
    /// Boot file for clients already running iPXE (option 175), e.g. an iPXE script: iPXE
    /// fetches nothing unless the reply names a file for it (docs/design.md).
    public var iPXEBootFile: String?
    /// Delay before answering a Pi 3B boot ROM: an instant answer can be ignored by it
    /// (firmware#934, #764). Zero answers at once. Applied by the server with a timer.
    public var pi3BReplyDelayMilliseconds: Int
    /// The full server, or proxyDHCP: boot options only, beside the network's own DHCP
    /// server (docs/proxy-dhcp.md).
    public var mode: DHCPMode

    public init(
        hub: IPv4Interface, domain: String, leaseSeconds: UInt32, nfsRootDirectory: String = "/pxe/root",
        bootMenu: RaspberryPiBootMenu = .padded, bootFileByArchitecture: [UInt16: String] = [:],
        iPXEBootFile: String? = nil, pi3BReplyDelayMilliseconds: Int = 1000,
        mode: DHCPMode = .server
    ) {
        self.hub = hub
        self.domain = domain
        self.leaseSeconds = leaseSeconds
        self.nfsRootDirectory = nfsRootDirectory
        self.bootMenu = bootMenu
        self.bootFileByArchitecture = bootFileByArchitecture
        self.iPXEBootFile = iPXEBootFile
        self.pi3BReplyDelayMilliseconds = pi3BReplyDelayMilliseconds
        self.mode = mode
    }

    /// `HUB:/pxe/root`, the root path a node gets unless its line says `root=`.
    public var defaultRootPath: String { "\(hub.address):\(nfsRootDirectory)" }
}

extension DHCPResponderSettings {
    /// The responder's settings from the config file: one mapping, so that `bramble serve`
    /// and `bramble replay` answer from exactly the same settings.
    public init(_ configuration: BrambleConfig) {
        self.init(
            hub: configuration.address, domain: configuration.domain.name, leaseSeconds: configuration.leaseTime.seconds,
            nfsRootDirectory: configuration.rootDirectory,
            // BootMenuText already holds the limits RaspberryPiBootMenu checks.
            bootMenu: (try? RaspberryPiBootMenu(text: configuration.piBootMenu.text)) ?? .padded,
            bootFileByArchitecture: configuration.pxeBootFiles.fileByArchitecture,
            iPXEBootFile: configuration.iPXEBootFile?.file,
            pi3BReplyDelayMilliseconds: configuration.pi3BReplyDelay.milliseconds,
            mode: configuration.dhcpMode)
    }
}

extension LeasePool {
    /// The dynamic pool the config asks for, or nil when `pool = off`.
    public init?(_ configuration: BrambleConfig) {
        guard let range = configuration.pool else { return nil }
        self.init(first: range.first, last: range.last, reserved: [])
    }
}
