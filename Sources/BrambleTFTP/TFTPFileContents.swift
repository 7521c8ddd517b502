/// The bytes a read transfer sends, by range.
///
/// The transfer itself never touches them: it only needs ``count`` and hands out block
/// ranges (``TFTPDataBlock``). The server reads each range here when it sends, so a
/// memory-mapped file conforms by pointing into the mapping, and a block goes from the page
/// cache to the socket without a copy in between. On a 1 GB hub serving 48 nodes, that is
/// the difference between one mapping per file and a buffer per transfer.
public protocol TFTPFileContents: Sendable {
    var count: Int { get }

    /// Calls `body` with the bytes in `range` (within `0..<count`). The buffer is only valid
    /// during the call.
    func withBytes<Result>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

/// Rendered templates and tests hand their bytes over as arrays.
extension Array: TFTPFileContents where Element == UInt8 {
    public func withBytes<Result>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
