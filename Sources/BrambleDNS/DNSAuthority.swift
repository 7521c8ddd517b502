/// Who answers a name: the cluster zone itself, or the upstream resolvers.
public enum DNSAuthority: Hashable, Sendable {
    /// The cluster domain, its apex and everything below it, or a short name
    /// (`node07`) of a host in it.
    case clusterDomain
    /// The cluster subnet's part of in-addr.arpa.
    case reverseZone
    /// Anything else: forwarded.
    case elsewhere
}

/// What to do with a received query.
public enum ZoneDisposition: Hashable, Sendable {
    /// Send this response (encode it with the query's ``DNSMessage/maximumResponseSize(overTCP:)``).
    case answer(DNSMessage)
    /// Not the zone's name: hand the query to the ``DNSForwarder``.
    case forward
    /// Send nothing: the message is itself a response.
    case drop
}
