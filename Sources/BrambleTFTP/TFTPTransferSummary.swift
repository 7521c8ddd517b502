/// What a completed transfer did, for the boot log and metrics.
public struct TFTPTransferSummary: Hashable, Sendable, CustomStringConvertible {
    public var bytes: Int
    /// DATA blocks in the file, counting the final short (possibly empty) one.
    public var blocks: Int
    /// From ``TFTPTransfer/start(now:)`` to the last ACK.
    public var duration: Duration
    /// Packets sent again after a timeout: a healthy LAN transfer has none, and a count that
    /// grows across boots points at the switch or a client's timing.
    public var retransmits: Int
    public var blockSize: Int
    public var windowSize: Int

    public init(bytes: Int, blocks: Int, duration: Duration, retransmits: Int, blockSize: Int, windowSize: Int) {
        self.bytes = bytes
        self.blocks = blocks
        self.duration = duration
        self.retransmits = retransmits
        self.blockSize = blockSize
        self.windowSize = windowSize
    }

    public var description: String {
        "\(bytes) bytes in \(blocks) blocks of \(blockSize) (window \(windowSize)), \(duration), \(retransmits) retransmits"
    }
}
