/// A file as netascii (RFC 1350, RFC 764): LF becomes CR LF and a bare CR becomes CR NUL,
/// converted block by block as the transfer asks for them.
///
/// The converted size is counted once, at creation, in one pass over the file read in
/// pieces of ``readChunk`` bytes; so `tsize` is answered for netascii just as for octet,
/// and no more than one piece of the file is ever in memory. The same pass notes where in
/// the file every ``checkpointSpacing``-th converted byte comes from, so reading any block
/// (a retransmission goes back a window) reads and converts at most that many bytes more
/// than the block. Boot firmware always reads octet; this exists for PC clients and costs
/// them one pass.
public struct NetasciiContents: TFTPFileContents {
    /// Where a converted offset comes from: a source byte, and whether it is the second
    /// byte of that byte's two-byte expansion.
    private struct Checkpoint: Sendable {
        var sourceOffset: Int
        var isSecondByte: Bool
    }

    public static let checkpointSpacing = 4096
    /// Source bytes read at once by the counting pass.
    public static let readChunk = 65_536

    public let source: any TFTPFileContents
    public let count: Int
    private let checkpoints: [Checkpoint]

    /// Counts the converted size; fails when the source cannot be read to its end.
    public init(source: any TFTPFileContents) throws(TFTPReadError) {
        self.source = source
        var converted = 0
        var checkpoints: [Checkpoint] = []
        checkpoints.reserveCapacity(source.count / Self.checkpointSpacing + 1)
        var chunk = [UInt8](repeating: 0, count: min(Self.readChunk, source.count))
        var chunkStart = 0
        while chunkStart < source.count {
            let length = min(Self.readChunk, source.count - chunkStart)
            try source.read(into: &chunk, count: length, at: chunkStart)
            for index in 0..<length {
                let width = chunk[index] == Self.lineFeed || chunk[index] == Self.carriageReturn ? 2 : 1
                var next = checkpoints.count * Self.checkpointSpacing
                while next < converted + width {
                    checkpoints.append(Checkpoint(sourceOffset: chunkStart + index, isSecondByte: next > converted))
                    next += Self.checkpointSpacing
                }
                converted += width
            }
            chunkStart += length
        }
        count = converted
        self.checkpoints = checkpoints
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(TFTPReadError) {
        guard offset >= 0, offset <= count - buffer.count else {
            throw .shortRead(offset: offset, expected: buffer.count, read: max(0, min(buffer.count, count - offset)))
        }
        guard !buffer.isEmpty else { return }
        let end = offset + buffer.count
        let checkpointIndex = offset / Self.checkpointSpacing
        guard checkpointIndex < checkpoints.count else { throw .shortRead(offset: offset, expected: buffer.count, read: 0) }
        let checkpoint = checkpoints[checkpointIndex]
        var position = checkpointIndex * Self.checkpointSpacing
        // Each source byte yields at least one converted byte, so this many suffice.
        let sourceLength = min(source.count - checkpoint.sourceOffset, end - position)
        var sourceBytes = [UInt8](repeating: 0, count: sourceLength)
        try source.read(into: &sourceBytes, count: sourceLength, at: checkpoint.sourceOffset)
        var written = 0
        var skipFirstByte = checkpoint.isSecondByte
        for byte in sourceBytes where position < end {
            let expansion = Self.expansion(of: byte)
            for converted in expansion.dropFirst(skipFirstByte ? 1 : 0) where position < end {
                if position >= offset {
                    buffer[written] = converted
                    written += 1
                }
                position += 1
            }
            skipFirstByte = false
        }
        // Only a source that no longer converts to `count` bytes (it changed) falls short.
        guard written == buffer.count else { throw .changed }
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
        subscript(position: Int) -> UInt8 { position == 0 ? first : second ?? 0 }
    }
}
