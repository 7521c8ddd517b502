/// Why bramble-web got no usable answer from the daemon. The message names the socket and
/// says what to check; the page shows it while the daemon is not reachable.
public enum DaemonLinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing listens on the socket (no daemon, another state-dir), or it cannot be opened.
    case notReachable(path: String, reason: String)
    /// The daemon hung up, or sent nothing within the time limit.
    case closed(path: String)
    case timedOut(path: String, milliseconds: Int)
    /// The daemon sent a line that is not a response of the protocol, or one too long.
    case unreadable(path: String, reason: String)
    /// The daemon answered with an error (an unknown node, ...): its own words.
    case refused(String)

    public var description: String {
        switch self {
        case .notReachable(let path, let reason):
            "no bramble daemon answers on \(path): \(reason) (is `bramble serve` running with this state-dir?)"
        case .closed(let path): "the bramble daemon on \(path) closed the connection"
        case .timedOut(let path, let milliseconds): "the bramble daemon on \(path) did not answer within \(milliseconds) ms"
        case .unreadable(let path, let reason): "the bramble daemon on \(path) sent an unreadable answer: \(reason)"
        case .refused(let message): message
        }
    }
}
