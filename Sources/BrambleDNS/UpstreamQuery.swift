import BrambleNodeMap

/// One query the forwarder wants sent to an upstream resolver.
///
/// The server sends each from a fresh socket (so a fresh random source port, RFC 5452
/// section 4) and hands whatever that socket receives to
/// ``DNSForwarder/receive(_:from:now:generator:)``. ``id`` is random and unique among the
/// queries in flight, so it also names the socket to close on ``DNSForwarderAction/closeUpstream(id:)``.
public struct UpstreamQuery: Hashable, Sendable {
    public var id: UInt16
    public var upstream: UpstreamServer
    /// Over TCP (length-prefixed) instead of UDP: the retry after a truncated UDP answer.
    public var overTCP: Bool
    /// The encoded query.
    public var bytes: [UInt8]
}

/// What the server does for the forwarder.
public enum DNSForwarderAction<Client: Hashable & Sendable>: Hashable, Sendable {
    case sendUpstream(UpstreamQuery)
    /// The query with this ID is finished (answered, timed out or failed over): close its
    /// socket, so late or forged answers to it are not even read.
    case closeUpstream(id: UInt16)
    /// Encode `message` within `maximumSize` bytes and send it to the client.
    case respond(to: Client, message: DNSMessage, maximumSize: Int)
    /// Nothing sent; logged for the operator.
    case discarded(DNSForwarderDiscard)
}

/// Why the forwarder ignored a query or a response.
public enum DNSForwarderDiscard: Hashable, Sendable, CustomStringConvertible {
    /// No query in flight has this ID: late, duplicated or forged.
    case unknownID(UInt16)
    /// The ID matches, but it came from another address or port than the query went to.
    case wrongSource(UpstreamServer, expected: UpstreamServer)
    /// The ID and source match, but it is not a response to the question asked.
    case questionMismatch(id: UInt16)
    /// As many queries are in flight as allowed: the client will retry.
    case tooManyPendingQueries
    /// As many clients wait for the same question as allowed.
    case tooManyWaitingClients

    public var description: String {
        switch self {
        case .unknownID(let id): "upstream answer with ID \(id) matches no query in flight"
        case .wrongSource(let source, let expected): "answer from \(source), but the query went to \(expected)"
        case .questionMismatch(let id): "upstream answer \(id) is for another question"
        case .tooManyPendingQueries: "too many queries in flight upstream; query dropped"
        case .tooManyWaitingClients: "too many clients waiting for one answer; query dropped"
        }
    }
}
