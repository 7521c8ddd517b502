/// The outcome of option negotiation: how a read transfer runs, and the OACK that tells
/// the client so.
public struct TFTPTransferParameters: Hashable, Sendable {
    /// Bytes per DATA block: 512 unless the client asked for another size (RFC 2348).
    public var blockSize: Int
    /// Blocks sent before waiting for an ACK: 1 (lockstep) unless negotiated (RFC 7440).
    public var windowSize: Int
    /// The retransmission timeout the client asked for (RFC 2349), nil for the server's
    /// default.
    public var timeout: Duration?
    /// The options granted, in the order the client asked, to send in an OACK. Empty means
    /// no OACK: the transfer is plain RFC 1350 and starts with DATA 1.
    public var acknowledgedOptions: TFTPOptions

    public init(
        blockSize: Int = TFTPOptionNegotiation.defaultBlockSize, windowSize: Int = 1,
        timeout: Duration? = nil, acknowledgedOptions: TFTPOptions = []
    ) {
        self.blockSize = blockSize
        self.windowSize = windowSize
        self.timeout = timeout
        self.acknowledgedOptions = acknowledgedOptions
    }

    /// Plain RFC 1350: 512-byte blocks in lockstep, no OACK.
    public static let rfc1350 = TFTPTransferParameters()

    public var sendsOptionAcknowledgement: Bool { !acknowledgedOptions.isEmpty }
}
