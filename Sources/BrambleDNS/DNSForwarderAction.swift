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
