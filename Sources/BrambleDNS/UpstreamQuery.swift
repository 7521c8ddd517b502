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
