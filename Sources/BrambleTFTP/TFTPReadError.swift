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
