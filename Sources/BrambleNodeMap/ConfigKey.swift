/// The keys a bramble config file may set. The raw value is the spelling in the file.
public enum ConfigKey: String, CaseIterable, Hashable, Sendable {
    case interface
    case address
    case domain
    case nodes
    case pxe
    case stateDirectory = "state-dir"
    case upstream
    case leaseTime = "lease-time"
    case pool
    case logLevel = "log-level"
    case logFile = "log-file"
    case pxeBootFile = "pxe-boot-file"
    case iPXEBootFile = "ipxe-boot-file"
    case pi3BReplyDelay = "pi3b-reply-delay"
    case piBootMenu = "pi-boot-menu"
    case tftpMaxTransfers = "tftp-max-transfers"
    case tftpMaxPerClient = "tftp-max-per-client"
    case netconsolePort = "netconsole-port"
    case dhcpMode = "dhcp-mode"
    case dns
    case rootsKeep = "roots-keep"
    case exportsFile = "exports-file"
    case bmcDevice = "bmc-device"
    case bmcPoll = "bmc-poll"
    case webListen = "web-listen"
    case webUser = "web-user"
    case webPasswordFile = "web-password-file"

    /// Only `upstream` may appear on several lines (one resolver each, order kept); setting any
    /// other key twice is almost always a forgotten edit, so the parser reports it.
    public var isRepeatable: Bool { self == .upstream }
}
