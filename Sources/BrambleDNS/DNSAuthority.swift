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
