import BrambleWire

/// The UDP port `bramble serve` receives the Pi 4/5 bootloader's netconsole on
/// (`netconsole-port`): 1-65535, or `off` (the default: nothing is bound).
///
/// The bootloader sends to port 6666 unless its `NETCONSOLE=` line names another
/// (raspberrypi/documentation, `eeprom-bootloader.adoc`, `NETCONSOLE`; docs/netconsole.md).
/// The UDP ports bramble serves itself (``ServedPort``: DNS 53, DHCP 67, TFTP 69) are
/// refused: a datagram there is a query, not a log line.
public struct NetconsolePort: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt16

    /// The bootloader's default destination port.
    public static let bootloaderDefault: UInt16 = 6666

    public init(_ value: UInt16) throws(InvalidConfigValue) {
        guard value != 0 else { throw InvalidConfigValue("port 0 is no port: write 1-65535 (the bootloader's default is \(Self.bootloaderDefault)) or off") }
        if let served = ServedPort.all.first(where: { !$0.isTCP && $0.number == value }) {
            throw InvalidConfigValue("port \(value) is bramble's own \(served.service) port: pick another, e.g. \(Self.bootloaderDefault)")
        }
        self.value = value
    }

    /// `off`, or a port number.
    public static func parse(_ text: String) throws(InvalidConfigValue) -> NetconsolePort? {
        if text == "off" { return nil }
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = UInt16(text) else {
            throw InvalidConfigValue("'\(text)' is not a UDP port: write a number from 1 to 65535 (the bootloader's default is \(Self.bootloaderDefault)) or off")
        }
        return try NetconsolePort(number)
    }

    public var description: String { String(value) }

    /// The bootloader's EEPROM line that sends its log from a node to this port on the hub:
    /// `NETCONSOLE=@10.42.0.5/,@10.42.0.250/`. The value is `src_port@src_ip/dev,dst_port@dst_ip/dst_mac`
    /// with every separator present; blank ports are 6665 and 6666, so the destination port
    /// is written only when it is not the default, because the bootloader takes at most 32
    /// characters. When the hub's address still does not fit, the destination is left blank:
    /// the bootloader then broadcasts, which bramble receives on the cluster interface too.
    public func eepromLine(node: IPv4Address, hub: IPv4Address) -> String {
        let port = value == Self.bootloaderDefault ? "" : String(value)
        let toHub = "@\(node)/,\(port)@\(hub)/"
        return "NETCONSOLE=" + (toHub.count <= Self.maximumValueLength ? toHub : "@\(node)/,\(port)@/")
    }

    /// The longest value the bootloader accepts after `NETCONSOLE=`.
    public static let maximumValueLength = 32
}
