import BrambleNodeMap
import BrambleWire

/// The DNS server without its sockets: one query in, what to send out. `bramble serve`
/// (DNSService, which owns the UDP, TCP and upstream sockets and the forwarder's timer) and
/// `bramble replay` (CaptureReplay, which feeds a capture's packets) both run this, so a
/// capture that replays clean shows what the daemon does.
///
/// Why this shape: a query's answer is most often bytes copied from a stored answer
/// (``DNSAnswerMemo``, the cache), so ``answer(query:from:address:now:generator:reply:)``
/// writes the reply into the caller's buffer and returns only what it is
/// (``DNSQueryOutcome``); that path allocates nothing. What happens later (an upstream's
/// answer, a deadline passing) and what the forwarder starts (an upstream query) comes out
/// as ``DNSServerAction`` values, replies already encoded within their transport's limit,
/// so the caller performs them on sockets and never encodes. Time (`now`) and randomness
/// (the upstream query IDs) come in as arguments.
///
/// The order for one query:
/// 1. a query of the common shape (``DNSQueryView``) from a client the zone serves is
///    answered from the zone's memo of answers sent before, or, for a name plainly outside
///    the cluster, from the forwarder's cache, by copying stored bytes;
/// 2. otherwise it is decoded in full (FORMERR to bytes that do not decode), and the
///    ``ClusterZone`` answers it (the answer is remembered for step 1), or says to forward
///    it: the ``DNSForwarder`` answers from its cache or asks an upstream.
public struct DNSServer: Sendable {
    public struct Settings: Sendable {
        public var hub: IPv4Interface
        public var domain: DomainName
        /// Empty: names outside the cluster are answered SERVFAIL.
        public var upstreams: [UpstreamServer]

        public init(hub: IPv4Interface, domain: DomainName, upstreams: [UpstreamServer]) {
            self.hub = hub
            self.domain = domain
            self.upstreams = upstreams
        }
    }

    public private(set) var zone: ClusterZone
    private let hub: IPv4Interface
    private var nodeMap: NodeMap
    private var domain: DomainName
    private var dynamicHosts: [DynamicHost] = []
    /// The zone's answers as sent, emptied with every new zone.
    private var memo: DNSAnswerMemo
    private var forwarder: DNSForwarder<DNSClient>
    private var bootWatch = NodeBootWatch()

    /// - Parameters:
    ///   - wallClockSeconds: the time (seconds since the epoch) the SOA serial is taken
    ///     from; the one use of wall time here, because the serial outlives the process in
    ///     the caches of the zone's clients.
    ///   - hashSeed: seeds the memo's and the cache's hash tables; random in the daemon,
    ///     because clients choose the names and must not be able to aim them at one bucket.
    public init(settings: Settings, nodeMap: NodeMap, wallClockSeconds: UInt32, hashSeed: UInt64) {
        hub = settings.hub
        self.nodeMap = nodeMap
        domain = settings.domain
        zone = ClusterZone(
            nodeMap: nodeMap, hub: settings.hub, domain: settings.domain, serial: Self.serial(after: 0, wallClockSeconds: wallClockSeconds))
        memo = DNSAnswerMemo(seed: hashSeed)
        forwarder = DNSForwarder(configuration: .init(upstreams: settings.upstreams), cache: DNSCache(hashSeed: hashSeed ^ 0x9e37_79b9_7f4a_7c15))
    }

    public var upstreams: [UpstreamServer] { forwarder.configuration.upstreams }
    public var cacheEntries: Int { forwarder.cache.count }

    /// When ``expire(now:generator:)`` next has work: the caller's one timer.
    public var nextDeadline: MonotonicInstant? { forwarder.nextDeadline }

    // MARK: what the zone knows

    /// Upstreams from a reloaded config or resolv.conf; the cache starts afresh.
    public mutating func replace(upstreams: [UpstreamServer]) {
        forwarder.replaceUpstreams(upstreams)
    }

    /// A reloaded node map or domain (or, in proxy mode, a node's address learned): a new
    /// zone, swapped in whole.
    public mutating func replace(nodeMap: NodeMap, domain: DomainName, wallClockSeconds: UInt32) {
        self.nodeMap = nodeMap
        self.domain = domain
        bootWatch.nodeMapReplaced()
        rebuildZone(wallClockSeconds: wallClockSeconds)
    }

    /// The dynamic leases' host names; the zone is rebuilt only when they changed.
    public mutating func replace(dynamicHosts hosts: [DynamicHost], wallClockSeconds: UInt32) {
        guard hosts != dynamicHosts else { return }
        dynamicHosts = hosts
        rebuildZone(wallClockSeconds: wallClockSeconds)
    }

    /// DHCP saw the node's ROM start over (a DISCOVER): its next first query is an "OS up"
    /// again.
    public mutating func nodeRebooted(id: Int) {
        if let node = nodeMap.node(id: id), let address = nodeMap.knownAddress(of: node) {
            bootWatch.nodeRebooted(at: address)
        }
    }

    private mutating func rebuildZone(wallClockSeconds: UInt32) {
        memo.removeAll()
        zone = ClusterZone(
            nodeMap: nodeMap, hub: hub, domain: domain, dynamicHosts: dynamicHosts,
            serial: Self.serial(after: zone.serial, wallClockSeconds: wallClockSeconds))
    }

    /// The SOA serial: the time in seconds, or one more than the last when changes come
    /// faster, so every new zone has a larger serial.
    private static func serial(after previous: UInt32, wallClockSeconds: UInt32) -> UInt32 {
        max(wallClockSeconds, previous &+ 1)
    }

    // MARK: queries

    /// One query from `client` (at `address`; over TCP when the client is a stream). The
    /// reply, if the outcome is ``DNSQueryOutcome/Disposition/answer(_:code:)``, is in
    /// `reply` (its old contents are replaced; its storage is reused).
    public mutating func answer(
        query bytes: ArraySlice<UInt8>, from client: DNSClient, address: IPv4Address, now: MonotonicInstant,
        generator: inout some RandomNumberGenerator, reply: inout [UInt8]
    ) -> DNSQueryOutcome {
        let overTCP = client.isStream
        let view = DNSQueryView(bytes)
        var firstQuery: NodeEntry?
        if let view {
            firstQuery = noticeBoot(of: address)
            if zone.serves(address), let (source, code) = writeStoredAnswer(to: view, in: bytes, overTCP: overTCP, now: now, into: &reply) {
                return DNSQueryOutcome(.answer(source, code: code), firstQueryOf: firstQuery)
            }
        }
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: bytes)
        } catch {
            if zone.serves(address), let formatError = DNSMessage.formatErrorResponse(toUndecodable: bytes) {
                reply = formatError
                return DNSQueryOutcome(.answer(.local, code: .formatError), firstQueryOf: firstQuery)
            }
            return DNSQueryOutcome(.drop(.undecodable(error)), firstQueryOf: firstQuery)
        }
        if view == nil { firstQuery = noticeBoot(of: address) }
        switch zone.respond(to: query, from: address) {
        case .answer(let response):
            if let view, zone.serves(address) { memo.remember(response, answering: view, in: bytes) }
            do {
                try response.encode(into: &reply, limit: query.maximumResponseSize(overTCP: overTCP))
            } catch {
                return DNSQueryOutcome(.drop(.replyDoesNotFit(to: client, error)), firstQueryOf: firstQuery)
            }
            return DNSQueryOutcome(.answer(.zone, code: response.responseCode), firstQueryOf: firstQuery)
        case .forward:
            // The forwarder answers at once only from its cache, or with its own error
            // when the query has no question or there is no upstream to ask.
            let source: DNSAnswerSource = query.question == nil || forwarder.configuration.upstreams.isEmpty ? .local : .cache
            let actions = forwarder.forward(query, from: client, source: address, overTCP: overTCP, now: now, generator: &generator)
            return DNSQueryOutcome(.forwarder(perform(actions, source: source)), firstQueryOf: firstQuery)
        case .drop:
            return DNSQueryOutcome(.drop(.response), firstQueryOf: firstQuery)
        }
    }

    /// The common case of ``answer(query:from:address:now:generator:reply:)`` alone, for a
    /// caller that answers a batch of datagrams at once: a query of the common shape
    /// (``DNSQueryView``), from a client the zone serves, that is no node's first query
    /// since it booted, answered by copying a stored answer (the zone's memo, or the cache
    /// for a name plainly outside the cluster). Writes the reply into `reply` and returns
    /// its source and code, as `answer` would; nil, having changed nothing a later `answer`
    /// reads, when the query needs `answer` (which then gives it the reply it would have
    /// had). The result is a pair of small values: the daemon's loop runs this for nearly
    /// every query, and copying a ``DNSQueryOutcome`` (its payloads and node entry) cost
    /// more than the answer's bytes.
    public mutating func answerStored(
        query bytes: ArraySlice<UInt8>, overTCP: Bool, address: IPv4Address, now: MonotonicInstant, reply: inout [UInt8]
    ) -> (source: DNSAnswerSource, code: DNSResponseCode)? {
        guard let view = DNSQueryView(bytes), zone.serves(address),
              address == hub.address || !bootWatch.isFirstQuery(from: address, nodeMap: nodeMap)
        else { return nil }
        return writeStoredAnswer(to: view, in: bytes, overTCP: overTCP, now: now, into: &reply)
    }

    /// Step 1 of a query: the zone's memo, else the cache for a name plainly elsewhere.
    private mutating func writeStoredAnswer(
        to view: DNSQueryView, in bytes: ArraySlice<UInt8>, overTCP: Bool, now: MonotonicInstant, into reply: inout [UInt8]
    ) -> (source: DNSAnswerSource, code: DNSResponseCode)? {
        let maximumSize = view.maximumResponseSize(overTCP: overTCP)
        if memo.write(to: view, in: bytes, maximumSize: maximumSize, into: &reply) {
            return (.zone, Self.responseCode(of: reply))
        }
        if zone.isPlainlyElsewhere(view, in: bytes),
           forwarder.writeCachedAnswer(to: view, in: bytes, now: now, maximumSize: maximumSize, into: &reply) {
            return (.cache, Self.responseCode(of: reply))
        }
        return nil
    }

    /// What arrived on an upstream query's socket, from `source`.
    public mutating func receiveUpstream(
        _ bytes: ArraySlice<UInt8>, from source: UpstreamServer, now: MonotonicInstant, generator: inout some RandomNumberGenerator
    ) -> [DNSServerAction] {
        let response: DNSMessage
        do {
            response = try DNSMessage(decoding: bytes)
        } catch {
            return [.drop(.undecodableUpstreamAnswer(from: source, error))]
        }
        return receiveUpstream(response, from: source, now: now, generator: &generator)
    }

    /// An upstream's answer already decoded (replay rewrites the capture's ID first).
    public mutating func receiveUpstream(
        _ response: DNSMessage, from source: UpstreamServer, now: MonotonicInstant, generator: inout some RandomNumberGenerator
    ) -> [DNSServerAction] {
        perform(forwarder.receive(response, from: source, now: now, generator: &generator), source: .upstream)
    }

    /// Every upstream query whose deadline has passed: the next upstream, or SERVFAIL.
    public mutating func expire(now: MonotonicInstant, generator: inout some RandomNumberGenerator) -> [DNSServerAction] {
        perform(forwarder.expire(now: now, generator: &generator), source: .upstream)
    }

    /// The first query from a node's address since it booted: its OS is up.
    private mutating func noticeBoot(of address: IPv4Address) -> NodeEntry? {
        address == hub.address ? nil : bootWatch.firstQuery(from: address, nodeMap: nodeMap)
    }

    /// The forwarder's actions with its responses encoded.
    private func perform(_ actions: [DNSForwarderAction<DNSClient>], source: DNSAnswerSource) -> [DNSServerAction] {
        actions.map { action in
            switch action {
            case .sendUpstream(let query): return .sendUpstream(query)
            case .closeUpstream(let id): return .closeUpstream(id: id)
            case .discarded(let reason): return .drop(.forwarder(reason))
            case .respond(let client, let message, let maximumSize):
                do throws(DNSEncodingError) {
                    return .reply(to: client, bytes: try message.encoded(limit: maximumSize), source: source, code: message.responseCode)
                } catch {
                    return .drop(.replyDoesNotFit(to: client, error))
                }
            }
        }
    }

    /// An encoded answer's code: the header's low 4 bits (an extended code in an OPT record
    /// is not read; stored answers have none).
    private static func responseCode(of bytes: [UInt8]) -> DNSResponseCode {
        DNSResponseCode(rawValue: bytes.count > 3 ? UInt16(bytes[3] & 0x0f) : 0xfff)
    }
}

/// Where an answer goes back to: a UDP source address and port, or a TCP connection by a
/// serial number that is never reused, so a forwarded answer arriving after its client
/// hung up cannot land on a newer connection that happens to get the same descriptor.
public enum DNSClient: Hashable, Sendable, CustomStringConvertible {
    case datagram(IPv4Address, port: UInt16)
    case stream(connection: UInt64)

    /// Over TCP: replies may take 65,535 bytes.
    public var isStream: Bool {
        if case .stream = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .datagram(let address, let port): "\(address):\(port)"
        case .stream(let connection): "TCP connection \(connection)"
        }
    }
}

/// Where an answer came from, as the counters report it.
public enum DNSAnswerSource: Int, CaseIterable, Hashable, Sendable {
    /// The cluster zone (or its memo of answers sent before), including its REFUSED to
    /// clients outside the subnet.
    case zone
    /// The forwarder's cache.
    case cache
    /// An upstream's answer, or SERVFAIL after every upstream failed.
    case upstream
    /// The server's own error: FORMERR for a query that does not decode, SERVFAIL with
    /// no upstream.
    case local
}

/// What became of one query.
public struct DNSQueryOutcome: Hashable, Sendable {
    public enum Disposition: Hashable, Sendable {
        /// The reply buffer holds the answer: send it to the client.
        case answer(DNSAnswerSource, code: DNSResponseCode)
        /// The query went to the forwarder: perform these (none when it joined an identical
        /// question already upstream, whose answer will answer it too).
        case forwarder([DNSServerAction])
        /// Nothing is sent.
        case drop(DNSDropReason)
    }

    public var disposition: Disposition
    /// The node whose first query since it booted this is: its OS is up.
    public var firstQueryOf: NodeEntry?

    public init(_ disposition: Disposition, firstQueryOf: NodeEntry? = nil) {
        self.disposition = disposition
        self.firstQueryOf = firstQueryOf
    }
}

/// What the caller does for the server, besides answering the query at hand.
public enum DNSServerAction: Hashable, Sendable {
    /// Send these bytes (within the client's transport's limit) to the client.
    case reply(to: DNSClient, bytes: [UInt8], source: DNSAnswerSource, code: DNSResponseCode)
    /// Send the query from a socket of its own (a fresh random source port, RFC 5452
    /// section 4) and hand what it receives to ``DNSServer/receiveUpstream(_:from:now:generator:)``.
    case sendUpstream(UpstreamQuery)
    /// The upstream query with this ID is finished (answered, timed out or failed over):
    /// close its socket, so late or forged answers to it are not even read.
    case closeUpstream(id: UInt16)
    /// Nothing sent; the reason is for the debug log.
    case drop(DNSDropReason)
}

/// Why nothing was sent.
public enum DNSDropReason: Hashable, Sendable, CustomStringConvertible {
    /// Bytes that do not decode, with no FORMERR owed: shorter than a header, claiming to
    /// be a response (two servers must not answer each other forever), or from a client
    /// the zone does not serve.
    case undecodable(DNSDecodingError)
    /// A response sent to the server's port, not a query.
    case response
    /// The forwarder's caps or its spoofing defences.
    case forwarder(DNSForwarderDiscard)
    /// Not even a truncated reply fits the transport (the client times out and retries, as
    /// for a lost datagram).
    case replyDoesNotFit(to: DNSClient, DNSEncodingError)
    case undecodableUpstreamAnswer(from: UpstreamServer, DNSDecodingError)

    public var description: String {
        switch self {
        case .undecodable(let error): "query dropped: \(error)"
        case .response: "a response sent to the server's port dropped"
        case .forwarder(let reason): "\(reason)"
        case .replyDoesNotFit(let client, let error): "reply to \(client) dropped: \(error)"
        case .undecodableUpstreamAnswer(let source, let error): "undecodable answer from \(source): \(error)"
        }
    }
}

/// Spots the "OS up" boot stage: a node's first DNS query after it booted means its
/// operating system is running and resolving names.
///
/// Holds the addresses already seen this boot. The server calls ``nodeRebooted(at:)`` when
/// DHCP sees the node start over (its ROM's DISCOVER), so the next boot is noticed too.
///
/// Asked for every query, so the common answer, "not a first query", is remembered per
/// address in a small direct-mapped table (``settled``): a hit costs one comparison
/// instead of a hashed set lookup and a node-map lookup (issue 18: together a tenth of a
/// cached answer's instructions). An entry only ever says "not first": the address was
/// seen this boot or is no node of the map. Whatever can change that (a reboot, a new node
/// map) empties the table, and a client's address can only take a slot, never make a
/// node's query look settled, so the table is exact, not a heuristic.
public struct NodeBootWatch: Hashable, Sendable {
    private var seen: Set<IPv4Address> = []
    /// Addresses known not to be a first query, by their low byte (a cluster's nodes differ
    /// there); `empty` where none is.
    private var settled = [UInt64](repeating: NodeBootWatch.empty, count: NodeBootWatch.settledSlots)
    private static let settledSlots = 256
    private static let empty = UInt64.max

    public init() {}

    /// The node whose first query this is, or nil: not a node of the map, or seen already.
    public mutating func firstQuery(from address: IPv4Address, nodeMap: NodeMap) -> NodeEntry? {
        guard isFirstQuery(from: address, nodeMap: nodeMap), let node = nodeMap.node(address: address) else { return nil }
        seen.insert(address)
        settle(address)
        return node
    }

    /// Whether a query from `address` would be a node's first, without counting it as
    /// one: ``firstQuery(from:nodeMap:)`` still reports it.
    public mutating func isFirstQuery(from address: IPv4Address, nodeMap: NodeMap) -> Bool {
        if settled[Int(address.value & 0xff)] == UInt64(address.value) { return false }
        guard !seen.contains(address), nodeMap.node(address: address) != nil else {
            settle(address)
            return false
        }
        return true
    }

    public mutating func nodeRebooted(at address: IPv4Address) {
        seen.remove(address)
        if settled[Int(address.value & 0xff)] == UInt64(address.value) { settled[Int(address.value & 0xff)] = Self.empty }
    }

    /// The node map changed: an address that was no node may be one now.
    public mutating func nodeMapReplaced() {
        forgetSettled()
    }

    private mutating func settle(_ address: IPv4Address) {
        settled[Int(address.value & 0xff)] = UInt64(address.value)
    }

    private mutating func forgetSettled() {
        for index in settled.indices { settled[index] = Self.empty }
    }
}
