import BrambleNodeMap
import BrambleWire

/// Forwarding of names outside the cluster to the upstream resolvers, as a state machine:
/// each method takes an input and `now` (a ``MonotonicInstant``) and returns the actions
/// the server performs. No sockets, clock or randomness of its own, so every path (timeouts,
/// forged answers, failover) is a unit test.
///
/// Spoofing defences (RFC 5452): a random ID per upstream query from the injected
/// generator, a fresh source port per query (the server's part), and an answer is accepted
/// only from the address and port the query went to, with its ID and the same question.
/// Identical questions in flight share one upstream query.
///
/// Fairness: one client address may have at most
/// ``Configuration/maximumPendingQueriesPerClient`` queries waiting upstream; more are
/// dropped unanswered (``DNSForwarderDiscard/tooManyQueriesFromClient(_:)``), as the global
/// cap's are, so no reply is sent that a forged source could aim elsewhere, and the client
/// retries once its earlier queries are answered. Without it one client asking for endless
/// made-up names fills every pending slot and the whole cluster's lookups fail.
public struct DNSForwarder<Client: Hashable & Sendable>: Sendable {
    public typealias Action = DNSForwarderAction<Client>

    public struct Configuration: Hashable, Sendable {
        /// Tried in order: the next one when one times out or fails.
        public var upstreams: [UpstreamServer]
        /// How long an upstream has to answer before the next one is asked.
        public var timeout: Duration
        public var maximumPendingQueries: Int
        public var maximumClientsPerQuery: Int
        /// Queries one source address may have waiting upstream at once (counting those
        /// that joined another's identical query): a sixteenth of the pending slots.
        public var maximumPendingQueriesPerClient: Int

        public init(
            upstreams: [UpstreamServer], timeout: Duration = .milliseconds(1500),
            maximumPendingQueries: Int = 512, maximumClientsPerQuery: Int = 64, maximumPendingQueriesPerClient: Int = 32
        ) {
            self.upstreams = upstreams
            self.timeout = timeout
            self.maximumPendingQueries = maximumPendingQueries
            self.maximumClientsPerQuery = maximumClientsPerQuery
            self.maximumPendingQueriesPerClient = maximumPendingQueriesPerClient
        }
    }

    /// A client waiting for an answer, with what its response must echo.
    private struct Requester: Hashable, Sendable {
        let client: Client
        /// The address the query came from, whatever the client's port or connection.
        let source: IPv4Address
        let id: UInt16
        /// In the client's case.
        let question: DNSQuestion
        let maximumSize: Int
        let recursionDesired: Bool
        let checkingDisabled: Bool
        let authenticDataWanted: Bool
        /// nil when the client sent no OPT record, else its DO bit.
        let ednsDNSSECOK: Bool?

        init(query: DNSMessage, question: DNSQuestion, client: Client, source: IPv4Address, overTCP: Bool) {
            self.client = client
            self.source = source
            id = query.header.id
            self.question = question
            maximumSize = query.maximumResponseSize(overTCP: overTCP)
            recursionDesired = query.header.recursionDesired
            checkingDisabled = query.header.checkingDisabled
            authenticDataWanted = query.header.authenticData
            ednsDNSSECOK = query.edns?.dnssecOK
        }
    }

    private struct PendingQuery: Sendable {
        let key: DNSCacheKey
        var requesters: [Requester]
        var upstreamIndex: Int
        /// Where the current upstream query went: answers come only from there, even when
        /// the upstream list has been replaced since.
        var upstream: UpstreamServer
        var overTCP: Bool
        var deadline: MonotonicInstant
    }

    public private(set) var configuration: Configuration
    public private(set) var cache: DNSCache
    private var pendingByID: [UInt16: PendingQuery] = [:]
    private var idByKey: [DNSCacheKey: UInt16] = [:]
    /// Deadlines in the order they were set. One timeout applies to all, so this is also
    /// deadline order: a queue does the work of a heap. Entries whose query has moved on
    /// are skipped when they come up.
    private var deadlines: [(deadline: MonotonicInstant, id: UInt16)] = []
    private var deadlinesHead = 0
    /// Requesters waiting upstream per source address; no entry at zero.
    private var waitingBySource: [IPv4Address: Int] = [:]

    public init(configuration: Configuration, cache: DNSCache = DNSCache()) {
        self.configuration = configuration
        self.cache = cache
    }

    public var pendingQueryCount: Int { pendingByID.count }

    /// When ``expire(now:generator:)`` next has work (possibly none, when that query has
    /// been answered since): the server's timer.
    public var nextDeadline: MonotonicInstant? {
        deadlinesHead < deadlines.count ? deadlines[deadlinesHead].deadline : nil
    }

    /// New upstream resolvers (a reloaded config or resolv.conf). The cache is emptied, as
    /// the new resolvers may answer differently; queries in flight keep waiting for the
    /// upstream they went to, and fail over to the new list.
    public mutating func replaceUpstreams(_ upstreams: [UpstreamServer]) {
        guard upstreams != configuration.upstreams else { return }
        configuration.upstreams = upstreams
        cache.removeAll()
    }

    /// Answers a query of the common shape from the cache, straight into `out` (see
    /// ``DNSCache/writeAnswer(to:in:now:maximumSize:into:)``); false when it is not cached,
    /// and the query takes the full path through ``forward(_:from:overTCP:now:generator:)``.
    public mutating func writeCachedAnswer(
        to view: DNSQueryView, in bytes: ArraySlice<UInt8>, now: MonotonicInstant, maximumSize: Int, into out: inout [UInt8]
    ) -> Bool {
        cache.writeAnswer(to: view, in: bytes, now: now, maximumSize: maximumSize, into: &out)
    }

    /// Queries from `source` waiting for an upstream's answer now.
    public func pendingQueryCount(from source: IPv4Address) -> Int { waitingBySource[source] ?? 0 }

    /// A query the zone said to forward, from `client` at address `source`. Answers from
    /// the cache at once; otherwise joins an identical query in flight or starts one,
    /// within the caps of the ``Configuration``.
    public mutating func forward(
        _ query: DNSMessage, from client: Client, source: IPv4Address, overTCP: Bool, now: MonotonicInstant,
        generator: inout some RandomNumberGenerator
    ) -> [Action] {
        guard let question = query.question else {
            return [.respond(to: client, message: DNSMessage(responseTo: query, code: .formatError),
                             maximumSize: query.maximumResponseSize(overTCP: overTCP))]
        }
        let requester = Requester(query: query, question: question, client: client, source: source, overTCP: overTCP)
        let key = DNSCacheKey(question: question, dnssecOK: query.edns?.dnssecOK ?? false)
        if let cached = cache.lookup(key, now: now) {
            return [respond(requester, code: cached.responseCode, answers: cached.answers,
                            authorities: cached.authorities, authenticData: cached.authenticData)]
        }
        if let id = idByKey[key], let waiting = pendingByID[id]?.requesters {
            guard !waiting.contains(requester) else { return [] }
            guard pendingQueryCount(from: source) < configuration.maximumPendingQueriesPerClient else {
                return [.discarded(.tooManyQueriesFromClient(source))]
            }
            guard waiting.count < configuration.maximumClientsPerQuery else {
                return [.discarded(.tooManyWaitingClients)]
            }
            pendingByID[id]?.requesters.append(requester)
            waitingBySource[source, default: 0] += 1
            return []
        }
        guard !configuration.upstreams.isEmpty else { return [respond(requester, code: .serverFailure)] }
        guard pendingQueryCount(from: source) < configuration.maximumPendingQueriesPerClient else {
            return [.discarded(.tooManyQueriesFromClient(source))]
        }
        guard pendingByID.count < configuration.maximumPendingQueries else { return [.discarded(.tooManyPendingQueries)] }
        waitingBySource[source, default: 0] += 1
        let pending = PendingQuery(
            key: key, requesters: [requester], upstreamIndex: 0, upstream: configuration.upstreams[0], overTCP: false, deadline: now)
        return [.sendUpstream(start(pending, now: now, generator: &generator))]
    }

    /// A response that arrived on an upstream query's socket, from `source`.
    public mutating func receive(
        _ response: DNSMessage, from source: UpstreamServer, now: MonotonicInstant,
        generator: inout some RandomNumberGenerator
    ) -> [Action] {
        let id = response.header.id
        guard let pending = pendingByID[id] else { return [.discarded(.unknownID(id))] }
        let expected = pending.upstream
        guard source == expected else { return [.discarded(.wrongSource(source, expected: expected))] }
        guard response.header.isResponse, response.question == pending.key.question else {
            return [.discarded(.questionMismatch(id: id))]
        }
        finish(id)
        if response.header.isTruncated, !pending.overTCP {
            var retry = pending
            retry.overTCP = true
            return [.closeUpstream(id: id), .sendUpstream(start(retry, now: now, generator: &generator))]
        }
        switch response.responseCode {
        case .serverFailure, .refused, .notImplemented, .formatError:
            return [.closeUpstream(id: id)] + failOver(pending, now: now, generator: &generator)
        default:
            cache.store(response, for: pending.key, now: now)
            release(pending)
            let additionals = response.additionals
            return [.closeUpstream(id: id)] + pending.requesters.map {
                respond($0, code: response.responseCode, answers: response.answers, authorities: response.authorities,
                        additionals: additionals, authenticData: response.header.authenticData)
            }
        }
    }

    /// Handles every query whose deadline has passed: the next upstream, or SERVFAIL.
    public mutating func expire(now: MonotonicInstant, generator: inout some RandomNumberGenerator) -> [Action] {
        var actions: [Action] = []
        while deadlinesHead < deadlines.count, deadlines[deadlinesHead].deadline <= now {
            let (deadline, id) = deadlines[deadlinesHead]
            deadlinesHead += 1
            guard let pending = pendingByID[id], pending.deadline == deadline else { continue }
            finish(id)
            actions.append(.closeUpstream(id: id))
            actions += failOver(pending, now: now, generator: &generator)
        }
        if deadlinesHead > 64, deadlinesHead * 2 > deadlines.count {
            deadlines.removeFirst(deadlinesHead)
            deadlinesHead = 0
        }
        return actions
    }

    private mutating func failOver(
        _ pending: PendingQuery, now: MonotonicInstant, generator: inout some RandomNumberGenerator
    ) -> [Action] {
        guard pending.upstreamIndex + 1 < configuration.upstreams.count else {
            cache.storeServerFailure(for: pending.key, now: now)
            release(pending)
            return pending.requesters.map { respond($0, code: .serverFailure) }
        }
        var next = pending
        next.upstreamIndex += 1
        next.upstream = configuration.upstreams[next.upstreamIndex]
        next.overTCP = false
        return [.sendUpstream(start(next, now: now, generator: &generator))]
    }

    /// Registers the query under a fresh random ID and builds what to send.
    private mutating func start(
        _ pending: PendingQuery, now: MonotonicInstant, generator: inout some RandomNumberGenerator
    ) -> UpstreamQuery {
        var id = UInt16.random(in: .min ... .max, using: &generator)
        while pendingByID[id] != nil { id = UInt16.random(in: .min ... .max, using: &generator) }
        var pending = pending
        pending.deadline = now + configuration.timeout
        pendingByID[id] = pending
        idByKey[pending.key] = id
        deadlines.append((pending.deadline, id))
        let first = pending.requesters[0]
        let query = DNSMessage(
            header: DNSHeader(id: id, recursionDesired: true, checkingDisabled: first.checkingDisabled),
            questions: [pending.key.question],
            edns: DNSEDNS(dnssecOK: pending.key.dnssecOK))
        return UpstreamQuery(
            id: id, upstream: pending.upstream, overTCP: pending.overTCP,
            // One question and an OPT record without options: at most 12 + 259 + 11 bytes.
            bytes: (try? query.encoded(limit: DNSMessage.maximumTCPSize)) ?? [])
    }

    /// The query's requesters are answered: they no longer count against their sources.
    private mutating func release(_ pending: PendingQuery) {
        for requester in pending.requesters {
            let left = (waitingBySource[requester.source] ?? 1) - 1
            waitingBySource[requester.source] = left > 0 ? left : nil
        }
    }

    private mutating func finish(_ id: UInt16) {
        if let pending = pendingByID.removeValue(forKey: id) { idByKey[pending.key] = nil }
    }

    private func respond(
        _ requester: Requester, code: DNSResponseCode, answers: [DNSResourceRecord] = [],
        authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = [], authenticData: Bool = false
    ) -> Action {
        let header = DNSHeader(
            id: requester.id, isResponse: true, recursionDesired: requester.recursionDesired, recursionAvailable: true,
            authenticData: authenticData && (requester.authenticDataWanted || requester.ednsDNSSECOK == true),
            checkingDisabled: requester.checkingDisabled)
        let message = DNSMessage(
            header: header, responseCode: code, questions: [requester.question], answers: answers,
            authorities: authorities, additionals: additionals,
            edns: requester.ednsDNSSECOK.map { DNSEDNS(dnssecOK: $0) })
        return .respond(to: requester.client, message: message, maximumSize: requester.maximumSize)
    }
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
