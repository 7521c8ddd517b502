/// A DHCP request from a MAC the node map does not know: a newly powered Pi, for `bramble enroll`.
public struct Discovery: Codable, Hashable, Sendable {
    public var mac: String
    /// The kind of client, readable ("Pi 3B ROM", "DHCP client").
    public var client: String
    /// A boot ROM or bootloader (PXE class) rather than an OS's DHCP client.
    public var firmware: Bool
    /// Wall-clock milliseconds since the epoch.
    public var time: Int64

    public init(mac: String, client: String, firmware: Bool, time: Int64) {
        self.mac = mac
        self.client = client
        self.firmware = firmware
        self.time = time
    }
}
