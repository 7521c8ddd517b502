import BrambleWire

/// A DATA packet to send, described rather than built: its block number and the range of
/// the transfer's bytes it carries.
///
/// The server writes ``header`` and the range's bytes with one `sendmsg` (two iovecs), so
/// no block is ever copied into a packet buffer; ``TFTPTransfer/dataPacket(_:)`` builds the
/// packet for callers that want one.
public struct TFTPDataBlock: Hashable, Sendable, CustomStringConvertible {
    /// The block number on the wire: wraps to 0 after 65535 (block 65536 is sent as 0).
    public let number: UInt16
    /// Offsets into ``TFTPFileContents``; shorter than the block size only for the last
    /// block, and empty when the size is a multiple of the block size (RFC 1350: a block
    /// under the block size ends the transfer).
    public let range: Range<Int>

    public init(number: UInt16, range: Range<Int>) {
        self.number = number
        self.range = range
    }

    /// The 4-byte DATA header: opcode 3 and the block number, big-endian.
    public var header: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        NetworkByteOrder.append(TFTPOpcode.data.rawValue, to: &bytes)
        NetworkByteOrder.append(number, to: &bytes)
        return bytes
    }

    public var description: String { "DATA \(number) [\(range.lowerBound)..<\(range.upperBound)]" }
}
