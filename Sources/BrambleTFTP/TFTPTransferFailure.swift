/// Why a transfer ended without delivering the file. Each of these is a real problem worth
/// a line in the node's boot log, unlike ``TFTPAbandonment``.
public enum TFTPTransferFailure: Hashable, Sendable, CustomStringConvertible {
    /// The client stopped answering after it had taken more than the first block.
    case timedOut(lastAcknowledgedBlock: Int)
    /// The client sent ERROR mid-transfer, or refused the OACK (code 8).
    case clientError(TFTPErrorCode, message: String)
    /// A packet a read transfer's client never sends (DATA, a request, an OACK); the
    /// server answered ERROR 4.
    case illegalPacket(TFTPOpcode)
    /// No ACK moved the transfer on for this long (``TFTPRetransmissionPolicy/maximumTimeWithoutProgress``),
    /// whatever the retransmission schedule: the slot is freed for other clients.
    case noProgress(lastAcknowledgedBlock: Int, for: Duration)
    /// The file could not be read any more (it shrank or was rewritten in place); the
    /// client got ERROR 0 and can ask again for the new file.
    case unreadable(TFTPReadError)

    public var description: String {
        switch self {
        case .timedOut(let block):
            "timed out: no answer after block \(block)"
        case .clientError(let code, let message):
            "client sent error \(code): \(message)"
        case .illegalPacket(let opcode):
            "client sent \(opcode) during a read transfer"
        case .noProgress(let block, let duration):
            "ended: no progress for \(duration) after block \(block)"
        case .unreadable(let error):
            "stopped: \(error)"
        }
    }
}
