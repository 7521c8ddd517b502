import BrambleWire

/// A granted dynamic lease. Times are wall-clock seconds since the epoch because leases
/// outlive the process: a lease granted before a restart must still expire on time after.
public struct Lease: Hashable, Sendable {
    public let mac: MACAddress
    public let address: IPv4Address
    public let expires: Int64
    /// The client's option 12, sanitised, for DNS names of dynamic machines.
    public let hostname: String?

    public init(mac: MACAddress, address: IPv4Address, expires: Int64, hostname: String?) {
        self.mac = mac
        self.address = address
        self.expires = expires
        self.hostname = hostname
    }
}
