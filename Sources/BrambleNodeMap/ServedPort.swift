/// A port `bramble serve` answers its own protocols on, listed once: the preflight names
/// what holds them before binding (`PortHolderSearch`), and the netconsole port may be none
/// of them (``NetconsolePort``).
public struct ServedPort: Hashable, Sendable {
    public let isTCP: Bool
    public let number: UInt16
    public let service: String

    /// DHCP (UDP 67), TFTP (UDP 69) and DNS (UDP and TCP 53), in the order `bramble serve`
    /// binds them.
    public static let all = [
        ServedPort(isTCP: false, number: 67, service: "DHCP"), ServedPort(isTCP: false, number: 69, service: "TFTP"),
        ServedPort(isTCP: false, number: 53, service: "DNS"), ServedPort(isTCP: true, number: 53, service: "DNS"),
    ]
}
