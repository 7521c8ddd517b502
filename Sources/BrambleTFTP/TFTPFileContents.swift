/// The bytes a read transfer sends, by offset.
///
/// The transfer itself never touches them: it only needs ``count`` and hands out block
/// ranges (``TFTPDataBlock``). The server copies each range into its send buffer when it
/// sends, from the file with `pread`. Nothing here hands out a pointer into a memory map:
/// a boot file truncated in place while it is sent would turn a read of such a pointer
/// into SIGBUS and take every service of the daemon down. A copy fails as a value instead
/// (``TFTPReadError``), and the one transfer ends.
public protocol TFTPFileContents: Sendable {
    var count: Int { get }

    /// Fills `buffer` with the bytes at `offset..<offset + buffer.count`, or throws when
    /// they cannot all be read: the file shrank or changed, or the read failed.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(TFTPReadError)
}

extension TFTPFileContents {
    /// The bytes in `range`, as an array: for templates, tests and replays.
    public func bytes(in range: Range<Int>) throws(TFTPReadError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: range.count)
        try read(into: &bytes, count: range.count, at: range.lowerBound)
        return bytes
    }

    /// Fills the first `count` bytes of `array`: a send buffer reused block after block.
    public func read(into array: inout [UInt8], count: Int, at offset: Int) throws(TFTPReadError) {
        guard count > 0 else { return }
        guard count <= array.count else { throw .shortRead(offset: offset, expected: count, read: 0) }
        var failure: TFTPReadError?
        array.withUnsafeMutableBytes { buffer in
            do throws(TFTPReadError) {
                try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), at: offset)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}

/// Rendered templates and tests hand their bytes over as arrays.
extension Array: TFTPFileContents where Element == UInt8 {
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(TFTPReadError) {
        guard offset >= 0, offset <= count - buffer.count else {
            throw .shortRead(offset: offset, expected: buffer.count, read: Swift.max(0, Swift.min(buffer.count, count - offset)))
        }
        guard !buffer.isEmpty else { return }
        withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + buffer.count)]))
        }
    }
}

/// Why the bytes of a block could not be read. The transfer that needed them ends with an
/// ERROR to the client (``TFTPTransfer/readFailed(_:)``); the next request opens the file
/// afresh, so a boot file rewritten while it was sent costs one failed transfer.
public enum TFTPReadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file ended early: it was truncated (rewritten in place, `cat new > file`) after
    /// the transfer started.
    case shortRead(offset: Int, expected: Int, read: Int)
    /// The file's size, modification or change time is no longer what it was when the
    /// transfer started: it was rewritten in place, and the bytes read may mix versions.
    case changed
    /// The read failed outright (EIO and the like); the text names the system call.
    case failed(String)

    public var description: String {
        switch self {
        case .shortRead(let offset, let expected, let read):
            "the file shrank while it was being sent: \(read) of \(expected) bytes at offset \(offset)"
        case .changed:
            "the file was rewritten in place while it was being sent"
        case .failed(let reason):
            "cannot read the file: \(reason)"
        }
    }
}
