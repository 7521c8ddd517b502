/// Who answers a name: the cluster zone itself, or the upstream resolvers.
public enum DNSAuthority: Hashable, Sendable {
    /// The cluster domain, its apex and everything below it, or a short name
    /// (`node07`) of a host in it.
    case clusterDomain
    /// The cluster subnet's part of in-addr.arpa.
    case reverseZone
    /// A name no upstream should be asked about: answered NXDOMAIN here, as dnsmasq's
    /// `domain-needed` and `bogus-priv` do. A single label that is no host of the cluster
    /// (`foo`, a typo, a name meant for another network's search domain), except for the
    /// types a validating resolver asks about top-level domains (SOA, NS, DS, DNSKEY); and
    /// a reverse name in a private or special-use range other than the cluster's own
    /// (``LocallyServedReverseZones``).
    case neverForwarded
    /// Anything else: forwarded.
    case elsewhere
}
