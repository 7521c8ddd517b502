extension TFTPTransfer {
    /// What the server does after one input, always in this order: send ``packet``, send
    /// the DATA ``blocks``, arm the timer for ``deadline``, then end with ``ending``.
    ///
    /// A plain value with no array inside: a transfer answers each ACK without allocating,
    /// which matters at one ACK per 512-byte block. It reads as a collection of ``Action``
    /// in that order too, for tests and for callers that prefer one switch.
    public struct Actions: RandomAccessCollection, Hashable, Sendable {
        /// An OACK, or the ERROR that precedes a failure.
        public internal(set) var packet: TFTPPacket?
        /// Blocks to send, counted from 1 without wrapping; ``block(_:)`` gives each one's
        /// wire number and byte range.
        public internal(set) var blocks: Range<Int> = 0..<0
        /// Wake the transfer at this instant, instead of any earlier deadline.
        public internal(set) var deadline: TFTPInstant?
        /// `finished`, `failed` or `abandoned`: the transfer is over.
        public internal(set) var ending: Action?
        let layout: TFTPBlockLayout

        init(layout: TFTPBlockLayout) {
            self.layout = layout
        }

        /// The DATA block with this index from ``blocks``.
        public func block(_ index: Int) -> TFTPDataBlock { layout.block(index) }

        public var startIndex: Int { 0 }
        public var endIndex: Int { (packet == nil ? 0 : 1) + blocks.count + (deadline == nil ? 0 : 1) + (ending == nil ? 0 : 1) }

        public subscript(position: Int) -> Action {
            precondition(position >= 0 && position < endIndex, "action \(position) of \(endIndex)")
            var index = position
            if let packet {
                if index == 0 { return .send(packet) }
                index -= 1
            }
            if index < blocks.count { return .sendData(block(blocks.lowerBound + index)) }
            index -= blocks.count
            if let deadline {
                if index == 0 { return .armTimer(deadline: deadline) }
                index -= 1
            }
            guard let ending, index == 0 else { preconditionFailure("action \(position) of \(endIndex)") }
            return ending
        }
    }
}

/// How a file of `byteCount` bytes splits into blocks of `blockSize`.
struct TFTPBlockLayout: Hashable, Sendable {
    let blockSize: Int
    let byteCount: Int

    /// The last block is short, empty when the size is a multiple of the block size, so even
    /// an empty file has one.
    var blockCount: Int { byteCount / blockSize + 1 }

    /// The block with this 1-based number, counted without wrapping.
    func block(_ index: Int) -> TFTPDataBlock {
        let start = (index - 1) * blockSize
        let end = min(start + blockSize, byteCount)
        return TFTPDataBlock(number: UInt16(truncatingIfNeeded: index), range: start..<end)
    }
}
