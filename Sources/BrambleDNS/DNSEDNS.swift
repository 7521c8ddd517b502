/// The EDNS0 OPT pseudo-record of a message (RFC 6891), without the extended RCODE bits,
/// which live in ``DNSMessage/responseCode``.
public struct DNSEDNS: Hashable, Sendable {
    /// What this server advertises and the most it sends over UDP: the DNS flag day 2020
    /// value, which fits any path's MTU without IP fragmentation.
    public static let advertisedPayloadSize: UInt16 = 1232

    /// The largest UDP payload the sender can receive (the OPT record's CLASS).
    public var udpPayloadSize: UInt16
    public var version: UInt8
    /// DO: the sender wants DNSSEC records (RFC 3225).
    public var dnssecOK: Bool
    /// The options (code, length, value ...) as received; none are interpreted.
    public var options: [UInt8]

    public init(udpPayloadSize: UInt16 = DNSEDNS.advertisedPayloadSize, version: UInt8 = 0, dnssecOK: Bool = false, options: [UInt8] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }
}
