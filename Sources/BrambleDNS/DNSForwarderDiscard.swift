import BrambleNodeMap
import BrambleWire

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
    /// This source address already has as many queries waiting upstream as one may.
    case tooManyQueriesFromClient(IPv4Address)

    public var description: String {
        switch self {
        case .unknownID(let id): "upstream answer with ID \(id) matches no query in flight"
        case .wrongSource(let source, let expected): "answer from \(source), but the query went to \(expected)"
        case .questionMismatch(let id): "upstream answer \(id) is for another question"
        case .tooManyPendingQueries: "too many queries in flight upstream; query dropped"
        case .tooManyWaitingClients: "too many clients waiting for one answer; query dropped"
        case .tooManyQueriesFromClient(let source): "\(source) has too many queries waiting upstream; query dropped"
        }
    }
}
