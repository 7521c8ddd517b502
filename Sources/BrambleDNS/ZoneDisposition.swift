/// What to do with a received query.
public enum ZoneDisposition: Hashable, Sendable {
    /// Send this response (encode it with the query's ``DNSMessage/maximumResponseSize(overTCP:)``).
    case answer(DNSMessage)
    /// Not the zone's name: hand the query to the ``DNSForwarder``.
    case forward
    /// Send nothing: the message is itself a response.
    case drop
}
