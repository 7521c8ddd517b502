/// What the server is willing to grant when a client proposes options.
public struct TFTPServerLimits: Hashable, Sendable {
    /// IPv4 header without options, UDP header, TFTP DATA header.
    public static let headerOverhead = 20 + 8 + 4

    /// The largest DATA payload granted. A block that does not fit the interface MTU would be
    /// sent as IP fragments, which the Pi firmware does not reassemble; so this comes from
    /// the MTU, not from what the client asks.
    public var maximumBlockSize: Int
    /// The largest RFC 7440 window granted. No Pi asks for one; PC clients (curl, atftp)
    /// may, and a bound keeps one client from flooding the hub's send queue.
    public var maximumWindowSize: Int
    /// The largest `timeout` option granted (RFC 2349), in seconds. The RFC allows 1-255,
    /// but a client granted 255 s makes the server wait minutes between resends and keeps
    /// a transfer slot that long; larger requests are declined (left out of the OACK, as
    /// RFC 2349 requires the acknowledged value to match the request) and the transfer
    /// runs on the server's default timeout. No Pi firmware sends the option.
    public var maximumTimeoutSeconds: Int

    public init(maximumBlockSize: Int, maximumWindowSize: Int = 16, maximumTimeoutSeconds: Int = 5) {
        self.maximumBlockSize = TFTPOptionNegotiation.blockSizeRange.clamp(maximumBlockSize)
        self.maximumWindowSize = TFTPOptionNegotiation.windowSizeRange.clamp(maximumWindowSize)
        self.maximumTimeoutSeconds = TFTPOptionNegotiation.timeoutSecondsRange.clamp(maximumTimeoutSeconds)
    }

    /// Limits for an interface: MTU 1500 gives blocks of 1468, what the Pi 5 asks for.
    public init(interfaceMTU: Int, maximumWindowSize: Int = 16, maximumTimeoutSeconds: Int = 5) {
        self.init(
            maximumBlockSize: interfaceMTU - Self.headerOverhead, maximumWindowSize: maximumWindowSize,
            maximumTimeoutSeconds: maximumTimeoutSeconds)
    }
}

extension ClosedRange where Bound == Int {
    func clamp(_ value: Int) -> Int { Swift.min(Swift.max(value, lowerBound), upperBound) }
}
