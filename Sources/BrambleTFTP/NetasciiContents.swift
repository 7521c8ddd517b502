/// A file as netascii (RFC 1350, RFC 764): LF becomes CR LF and a bare CR becomes CR NUL,
/// converted on the fly as blocks are read.
///
/// The converted size is counted once, at creation, in one pass over the file; so `tsize`
/// is answered for netascii just as for octet. The same pass notes where in the file every
/// ``checkpointSpacing``-th converted byte comes from, so reading any block (a
/// retransmission goes back a window) converts at most that many bytes before it starts.
/// Boot firmware always reads octet; this exists for PC clients and costs them one pass.
public struct NetasciiContents: TFTPFileContents {
    /// Where a converted offset comes from: a source byte, and whether it is the second
    /// byte of that byte's two-byte expansion.
    private struct Checkpoint: Sendable {
        var sourceOffset: Int
        var isSecondByte: Bool
    }

    public static let checkpointSpacing = 4096

    public let source: any TFTPFileContents
    public let count: Int
    private let checkpoints: [Checkpoint]

    public init(source: any TFTPFileContents) {
        self.source = source
        var converted = 0
        var checkpoints: [Checkpoint] = []
        checkpoints.reserveCapacity(source.count / Self.checkpointSpacing + 1)
        source.withBytes(in: 0..<source.count) { bytes in
            for (offset, byte) in bytes.enumerated() {
                let width = Self.expansion(of: byte).count
                var next = checkpoints.count * Self.checkpointSpacing
                while next < converted + width {
                    checkpoints.append(Checkpoint(sourceOffset: offset, isSecondByte: next > converted))
                    next += Self.checkpointSpacing
                }
                converted += width
            }
        }
        count = converted
        self.checkpoints = checkpoints
    }

    public func withBytes<Result>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        guard !range.isEmpty else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try withUnsafeTemporaryAllocation(byteCount: range.count, alignment: 1) { buffer in
            let checkpointIndex = range.lowerBound / Self.checkpointSpacing
            let checkpoint = checkpoints[checkpointIndex]
            var position = checkpointIndex * Self.checkpointSpacing
            var written = 0
            // Each source byte yields at least one converted byte, so this many suffice.
            let sourceEnd = min(source.count, checkpoint.sourceOffset + range.upperBound - position)
            source.withBytes(in: checkpoint.sourceOffset..<sourceEnd) { sourceBytes in
                var skipFirstByte = checkpoint.isSecondByte
                for byte in sourceBytes where position < range.upperBound {
                    let expansion = Self.expansion(of: byte)
                    for converted in expansion.dropFirst(skipFirstByte ? 1 : 0) where position < range.upperBound {
                        if position >= range.lowerBound {
                            buffer[written] = converted
                            written += 1
                        }
                        position += 1
                    }
                    skipFirstByte = false
                }
            }
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")

    /// What one source byte becomes, without allocating.
    private static func expansion(of byte: UInt8) -> Expansion {
        switch byte {
        case lineFeed: Expansion(first: carriageReturn, second: lineFeed)
        case carriageReturn: Expansion(first: carriageReturn, second: 0)
        default: Expansion(first: byte, second: nil)
        }
    }

    private struct Expansion: Collection {
        let first: UInt8
        let second: UInt8?

        var startIndex: Int { 0 }
        var endIndex: Int { second == nil ? 1 : 2 }
        func index(after index: Int) -> Int { index + 1 }
        subscript(position: Int) -> UInt8 { position == 0 ? first : second! }
    }
}
