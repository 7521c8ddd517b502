import BrambleControl
import BrambleDHCP
import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Glibc
import Logging

/// DNS on the wire: the sockets and the timer around ``DNSServer``, which decides every
/// answer (the same core `bramble replay` runs). UDP and TCP on the hub's cluster address;
/// each upstream query from a socket of its own (a fresh random source port, RFC 5452).
///
/// The sockets bind the cluster address, not the interface: a bound address takes only
/// packets sent to it, and queries the hub sends itself (they arrive on `lo`, which an
/// interface-bound socket never sees) are answered too. Who may ask is the zone's rule:
/// outside the cluster subnet, REFUSED, so the hub is never an open resolver.
///
/// Hostile input, from any source address: decoding is linear in the message (pointer
/// hops bounded per name and per message); a reply never exceeds its transport (the
/// encoder truncates with TC, and a reply that still cannot fit is logged and dropped,
/// never sent or framed); error replies echo at most one question; TCP connections are
/// capped in all and per address and close when no whole query arrives for
/// ``Settings/idleMilliseconds``; the forwarder caps queries waiting upstream per address.
final class DNSService {
    struct Settings {
        var hub: IPv4Interface
        var domain: DomainName
        /// Empty: names outside the cluster are answered SERVFAIL.
        var upstreams: [UpstreamServer]
        var port: UInt16 = 53
        /// TCP clients served at once; more are accepted and closed at once, so they fail
        /// fast rather than wait in the kernel's backlog.
        var maximumConnections = 64
        /// TCP clients one address may hold at once: a quarter of ``maximumConnections``, so
        /// one client (inside the subnet or not) cannot take every slot.
        var maximumConnectionsPerClient = 16
        /// How long a TCP connection stays open without a whole message arriving.
        var idleMilliseconds = 10_000
    }

    private enum UpstreamChannel {
        case datagram(UDPSocket)
        case stream(DNSStreamConnection, serial: UInt64)
    }

    private let settings: Settings
    private let udp: UDPSocket
    private let listener: TCPListener
    private let loop: EventLoop
    private let capture: PacketCapture?
    private let logger: Logger
    private var core: Core
    private var connections: [UInt64: DNSStreamConnection] = [:]
    /// Open TCP connections per client address; no entry at zero.
    private var connectionsByPeer: [IPv4Address: Int] = [:]
    private var upstreamChannels: [UInt16: UpstreamChannel] = [:]
    private var nextSerial: UInt64 = 0
    private var forwarderTimer: (deadline: MonotonicInstant, id: EventLoop.TimerID)?
    /// Reused for every datagram and every answer: the answer path allocates only what
    /// decoding and the zone's answer need. Upstream replies arrive in `receiveBuffer`;
    /// client queries a batch at a time in `queries` (one recvmmsg per wake-up), and
    /// their UDP replies, written one by one into the core's `reply`, leave together from
    /// `replies` (one sendmmsg).
    private var receiveBuffer = [UInt8](repeating: 0, count: 65_536)
    /// Slots of 512 bytes, the largest query RFC 1035 (4.2.1) lets a client send without
    /// EDNS; a larger one (a hostile one, or with long EDNS options) arrives whole through
    /// the batch's spill all the same.
    private let queries = UDPSocket.ReceiveBatch(capacity: EventLoop.readBatch, slotSize: 512)
    private let replies = UDPSocket.SendBatch(capacity: EventLoop.readBatch)
    var queriesReceived: Int { core.queriesReceived }
    /// When each upstream query in flight was sent, for its latency.
    private var upstreamSentAt: [UInt16: MonotonicInstant] = [:]
    /// A node's first query since its last DISCOVER: its OS is up.
    var onFirstQuery: ((NodeEntry) -> Void)?

    init(settings: Settings, nodeMap: NodeMap, loop: EventLoop, capture: PacketCapture? = nil, logger: Logger) throws(SystemCallError) {
        udp = try UDPSocket(address: settings.hub.address, port: settings.port, capture: capture)
        // The port UDP got: the same as `settings.port`, or with port 0 (tests) one
        // ephemeral port for both transports.
        listener = try TCPListener(address: settings.hub.address, port: udp.localPort)
        self.settings = settings
        self.loop = loop
        self.capture = capture
        self.logger = logger
        core = Core(server: DNSServer(
            settings: .init(hub: settings.hub, domain: settings.domain, upstreams: settings.upstreams), nodeMap: nodeMap,
            wallClockSeconds: Self.wallClockSeconds(), hashSeed: .random(in: .min ... .max)))
        try udp.watch(in: loop) { [unowned self] in self.readDatagrams() }
        try listener.watch(in: loop, logger: logger) { [unowned self] in self.acceptConnections() }
        logger.info("DNS on \(settings.hub.address):\(udp.localPort), UDP and TCP, for \(settings.domain.name) and the reverse zone of \(settings.hub.subnet)")
    }

    deinit {
        loop.deregister(udp.fd)
        loop.deregister(listener.fd)
    }

    var localPort: UInt16 { udp.localPort }

    func counters() -> DNSCounters { core.tally.snapshot(queries: queriesReceived, cacheEntries: core.server.cacheEntries) }

    /// The configured upstreams, or the hub's resolv.conf minus the hub and loopback; says
    /// in the log which it is, and once if there are none.
    static func upstreams(configured: [UpstreamServer], hub: IPv4Address, resolvConf: String, logger: Logger) -> [UpstreamServer] {
        let upstreams = configured.isEmpty ? ResolvConf.upstreams(atPath: resolvConf, excluding: hub) : configured
        let origin = configured.isEmpty ? "from \(resolvConf)" : "from the config"
        if upstreams.isEmpty {
            logger.warning("DNS: no upstream resolver (none set with `upstream`, none usable in \(resolvConf)): names outside the cluster get SERVFAIL")
        } else {
            logger.info("DNS: forwarding names outside the cluster to \(upstreams.map(\.description).joined(separator: ", ")) (\(origin))")
        }
        return upstreams
    }

    /// Upstreams from a reloaded config or resolv.conf; the cache starts afresh.
    func replace(upstreams: [UpstreamServer]) {
        core.server.replace(upstreams: upstreams)
    }

    /// A reloaded node map or domain: a new zone, swapped in whole.
    func replace(nodeMap: NodeMap, domain: DomainName) {
        core.server.replace(nodeMap: nodeMap, domain: domain, wallClockSeconds: Self.wallClockSeconds())
    }

    /// A node's DISCOVER starts a new boot: its next first query is an "OS up" again.
    func dhcpObserved(_ event: DHCPEvent) {
        if event.received == .discover, let id = event.nodeID { core.server.nodeRebooted(id: id) }
    }

    /// The pool's active leases: those with a client host name become names in the zone.
    func replaceLeases(_ leases: [Lease]) {
        let hosts = Lease.dnsHosts(leases)
        core.server.replace(dynamicHosts: hosts, wallClockSeconds: Self.wallClockSeconds())
    }

    /// For the SOA serial, the one wall-clock reading DNS makes (see ``DNSServer``).
    private static func wallClockSeconds() -> UInt32 { UInt32(truncatingIfNeeded: time(nil)) }

    // MARK: queries

    /// Reads until the socket's batch for this turn is taken (``UDPSocket/watch(in:_:)``):
    /// a flood of queries slows DNS, not the boot services or the timers.
    /// A batch that found the socket drained ends the turn without another recvmmsg.
    ///
    /// The core answers what stored answers answer (most queries) for the whole batch in
    /// one call, straight into `replies`; the rest go one by one through ``handle``.
    private func readDatagrams() {
        while udp.receive(into: queries) > 0 {
            // One clock reading for the batch: its queries arrived together.
            let now = loop.now
            let datagrams = queries.datagrams
            let unanswered = core.answerStored(datagrams, now: now, into: replies)
            for index in unanswered {
                let datagram = datagrams[index]
                handle(query: datagram.payload, from: .datagram(datagram.source, port: datagram.sourcePort), address: datagram.source, now: now)
            }
            sendReplies()
            if queries.drained { break }
        }
    }

    /// Sends the UDP replies gathered since the last call. Every path that can answer a
    /// UDP client (a batch of queries, a TCP query whose forwarding answers others, an
    /// upstream's reply, a forwarding timeout) ends with this call.
    private func sendReplies() {
        guard !replies.isEmpty else { return }
        udp.send(replies)
    }

    private func acceptConnections() {
        while let stream = listener.accept() {
            guard connections.count < settings.maximumConnections else {
                logger.debug("DNS: TCP connection from \(stream.peer) closed: \(settings.maximumConnections) already open", metadata: ["peer": "\(stream.peer)"])
                continue
            }
            let peer = stream.peer
            guard connectionsByPeer[peer, default: 0] < settings.maximumConnectionsPerClient else {
                logger.debug("DNS: TCP connection from \(peer) closed: it has \(settings.maximumConnectionsPerClient) open already", metadata: ["peer": "\(peer)"])
                continue
            }
            nextSerial += 1
            let serial = nextSerial
            do {
                connections[serial] = try DNSStreamConnection(
                    stream: stream, loop: loop, idleMilliseconds: settings.idleMilliseconds,
                    onMessage: { [weak self] bytes in
                        guard let self else { return }
                        handle(query: bytes, from: .stream(connection: serial), address: peer, now: loop.now)
                        sendReplies()
                    },
                    onClose: { [weak self] in self?.connectionClosed(serial, peer: peer) })
                connectionsByPeer[peer, default: 0] += 1
            } catch {
                logger.warning("DNS: cannot watch a TCP connection from \(peer): \(error)", metadata: ["peer": "\(peer)"])
            }
        }
    }

    private func connectionClosed(_ serial: UInt64, peer: IPv4Address) {
        guard connections.removeValue(forKey: serial) != nil else { return }
        let left = connectionsByPeer[peer, default: 1] - 1
        connectionsByPeer[peer] = left > 0 ? left : nil
    }

    private func handle(query bytes: ArraySlice<UInt8>, from client: DNSClient, address: IPv4Address, now: MonotonicInstant) {
        let outcome = core.answer(bytes, from: client, address: address, now: now) { send(bytes: $0, to: client) }
        if let node = outcome.firstQueryOf {
            logger.notice("\(node.name) (\(address)) OS up: first DNS query", metadata: ["peer": "\(address)"])
            onFirstQuery?(node)
        }
        switch outcome.disposition {
        case .answer:
            break
        case .forwarder(let actions):
            perform(actions)
        case .drop(let reason):
            log(reason)
        }
    }

    private func send(bytes: [UInt8], to client: DNSClient) {
        switch client {
        case .datagram(let address, let port):
            if replies.isFull { sendReplies() }
            replies.append(bytes, to: address, port: port)
        case .stream(let serial):
            do {
                try connections[serial]?.send(bytes)
            } catch {
                logger.warning("DNS: reply to \(client) dropped: \(error)")
            }
        }
    }

    /// A reply that cannot fit its transport is worth a warning; the rest are the normal
    /// traffic of a busy or hostile network.
    private func log(_ reason: DNSDropReason) {
        if case .replyDoesNotFit = reason {
            logger.warning("DNS: \(reason)")
        } else {
            logger.debug("DNS: \(reason)")
        }
    }

    // MARK: forwarding

    private func perform(_ actions: [DNSServerAction]) {
        for action in actions {
            switch action {
            case .reply(let client, let bytes, let source, let code):
                core.tally.count(source, code: code)
                send(bytes: bytes, to: client)
            case .sendUpstream(let query): sendUpstream(query)
            case .closeUpstream(let id): closeUpstream(id)
            case .drop(let reason): log(reason)
            }
        }
        scheduleForwarderTimer()
    }

    /// A socket of its own per query. If it cannot be opened the query simply times out
    /// in the server, which then tries the next upstream or answers SERVFAIL.
    private func sendUpstream(_ query: UpstreamQuery) {
        let upstream = query.upstream
        upstreamSentAt[query.id] = loop.now
        do {
            if query.overTCP {
                nextSerial += 1
                let serial = nextSerial
                let connection = try DNSStreamConnection(
                    stream: TCPStream.connect(to: upstream.address, port: upstream.port), loop: loop,
                    idleMilliseconds: settings.idleMilliseconds,
                    onMessage: { [weak self] bytes in self?.receiveUpstream(bytes, from: upstream) },
                    onClose: { [weak self] in self?.upstreamStreamClosed(query.id, serial: serial) })
                upstreamChannels[query.id] = .stream(connection, serial: serial)
                try connection.send(query.bytes)
            } else {
                let socket = try UDPSocket(port: 0, capture: capture)
                try loop.register(socket.fd) { [weak self] _ in self?.readUpstream(query.id) }
                upstreamChannels[query.id] = .datagram(socket)
                if !socket.send(query.bytes, to: upstream.address, port: upstream.port) {
                    logger.debug("DNS: cannot send to \(upstream): \(SystemCallError("sendto"))")
                }
            }
        } catch {
            logger.warning("DNS: upstream query to \(upstream) not sent: \(error)")
        }
    }

    private func closeUpstream(_ id: UInt16) {
        upstreamSentAt[id] = nil
        switch upstreamChannels.removeValue(forKey: id) {
        case .datagram(let socket)?: loop.deregister(socket.fd)
        case .stream(let connection, _)?: connection.close()
        case nil: break
        }
    }

    private func upstreamStreamClosed(_ id: UInt16, serial: UInt64) {
        if case .stream(_, let current)? = upstreamChannels[id], current == serial { upstreamChannels[id] = nil }
    }

    private func readUpstream(_ id: UInt16) {
        while case .datagram(let socket)? = upstreamChannels[id], let datagram = socket.receive(into: &receiveBuffer) {
            receiveUpstream(datagram.payload, from: UpstreamServer(address: datagram.source, port: datagram.sourcePort))
        }
    }

    private func receiveUpstream(_ bytes: ArraySlice<UInt8>, from source: UpstreamServer) {
        let now = loop.now
        let actions = core.receiveUpstream(bytes, from: source, now: now)
        // Accepted (not discarded as late, forged or mismatched): the query is closed first.
        if case .closeUpstream(let id)? = actions.first, let sent = upstreamSentAt[id] {
            core.tally.observeUpstream(now.duration(since: sent))
        }
        perform(actions)
        sendReplies()
    }

    /// One loop timer at the server's earliest deadline; a later query's deadline never
    /// comes before it (one timeout for all), so the timer is only ever moved when none is set.
    private func scheduleForwarderTimer() {
        guard let deadline = core.server.nextDeadline else { return }
        if let current = forwarderTimer {
            guard deadline < current.deadline else { return }
            loop.cancel(current.id)
        }
        let id = loop.schedule(at: deadline) { [weak self] in self?.forwarderDeadlinePassed() }
        forwarderTimer = (deadline, id)
    }

    private func forwarderDeadlinePassed() {
        forwarderTimer = nil
        perform(core.expire(now: loop.now))
        sendReplies()
    }

    /// The core and what each query needs beside it, in one stored property: a query is
    /// one run-time exclusivity check on the service instead of one per `inout` argument
    /// and counter (the server, the generator, the reply buffer, the tally), on the path
    /// of every query.
    private struct Core {
        var server: DNSServer
        var generator = SystemRandomNumberGenerator()
        /// The last answer's bytes; the storage is reused.
        var reply: [UInt8] = []
        var queriesReceived = 0
        /// What `counters` reports: answers by source and code, upstream latency.
        var tally = DNSTally()

        /// Indices of the last batch's datagrams ``answerStored(_:now:into:)`` left to the
        /// full path; the storage is reused.
        var unanswered: [Int] = []

        /// Answers every datagram of the batch that a stored answer answers
        /// (``DNSServer/answerStored(query:overTCP:address:now:reply:)``), counting each and
        /// appending its reply to `replies`; returns the indices of the others, in order,
        /// for ``answer(_:from:address:now:send:)``. One call per batch: one exclusive
        /// access to the service's core instead of one per query.
        mutating func answerStored(_ datagrams: UDPSocket.ReceiveBatch.Datagrams, now: MonotonicInstant, into replies: UDPSocket.SendBatch) -> [Int] {
            unanswered.removeAll(keepingCapacity: true)
            for index in datagrams.indices {
                let datagram = datagrams[index]
                guard !replies.isFull,
                      let (source, code) = server.answerStored(
                          query: datagram.payload, overTCP: false, address: datagram.source, now: now, reply: &reply)
                else {
                    unanswered.append(index)
                    continue
                }
                queriesReceived &+= 1
                tally.count(source, code: code)
                replies.append(reply, to: datagram.source, port: datagram.sourcePort)
            }
            return unanswered
        }

        /// Answers one query; an answer is counted and handed to `send` (which must not
        /// reach back into the core) while it is in ``reply``.
        mutating func answer(
            _ query: ArraySlice<UInt8>, from client: DNSClient, address: IPv4Address, now: MonotonicInstant, send: ([UInt8]) -> Void
        ) -> DNSQueryOutcome {
            queriesReceived &+= 1
            let outcome = server.answer(query: query, from: client, address: address, now: now, generator: &generator, reply: &reply)
            if case .answer(let source, let code) = outcome.disposition {
                tally.count(source, code: code)
                send(reply)
            }
            return outcome
        }

        mutating func receiveUpstream(_ bytes: ArraySlice<UInt8>, from source: UpstreamServer, now: MonotonicInstant) -> [DNSServerAction] {
            server.receiveUpstream(bytes, from: source, now: now, generator: &generator)
        }

        mutating func expire(now: MonotonicInstant) -> [DNSServerAction] {
            server.expire(now: now, generator: &generator)
        }
    }
}
