/// Why a message was not encoded. The encoder never writes more than its limit: a reply
/// that cannot be made to fit is this error, which the server logs and drops, rather than
/// bytes a transport cannot carry.
public enum DNSEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header and question section alone are over the limit, so not even a truncated
    /// (TC) reply fits. A reply from this server echoes at most one question (at most
    /// 12 + 259 bytes), which fits any limit of 512 or more.
    case questionsDoNotFit(questionCount: Int, limit: Int)

    public var description: String {
        switch self {
        case .questionsDoNotFit(let questionCount, let limit):
            "DNS reply not sent: its header and \(questionCount) question(s) do not fit the \(limit)-byte limit of its transport"
        }
    }
}
