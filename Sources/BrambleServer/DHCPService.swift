import BrambleControl
import BrambleDHCP
import BrambleNodeMap
import BrambleWire
import CNetShims
import Glibc
import Logging

/// DHCP on the wire: the sockets and timers around the one DHCP path, ``DHCPResponder``.
/// Frames from the raw socket are decoded here, once, and answered by the responder, which
/// replay drives the same way; this class only performs its decisions: journal first, then
/// the ARP entry, then the reply, after its delay, to the address, port and MAC the reply's
/// ``DHCPReplyDestination`` names.
final class DHCPService {
    private let packetSocket: PacketSocket
    /// Port 67 bound on the interface: without it, unicast renewals and relayed requests
    /// would draw ICMP port-unreachable. Replies to relays and to clients that have an
    /// address leave through it, routed by the kernel.
    ///
    /// Every request is read once, from the raw socket, which sees the ones sent here too.
    /// So that the kernel does not queue a second copy of each (until now drained with one
    /// wake-up and one `recvfrom` per request), this socket carries a filter that drops
    /// everything it would receive (``PacketFilter/dropEverything``): the port stays open,
    /// what is answered does not change, and nothing is read twice. The filter goes on
    /// after the bind, so what arrived in between is drained once at start-up.
    private let serverSocket: UDPSocket
    private let loop: EventLoop
    private var responder: DHCPResponder
    private let journal: LeaseJournal?
    private let logger: Logger
    private let hub: IPv4Interface
    private var frameBuffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
    /// The replies through ``serverSocket`` (to relays, to clients that have an address) of
    /// one wake-up, sent together after its last request is answered: one `sendmmsg` a
    /// wake-up instead of one `sendto` a reply. Each is queued after its lease change is
    /// journalled, as a reply sent at once would be.
    private let replyBatch = UDPSocket.SendBatch(capacity: EventLoop.readBatch, bytesPerDatagram: 576)
    /// The same for replies sent as whole frames through ``packetSocket`` (to clients
    /// without an address yet: a booting Pi's DISCOVER and REQUEST).
    private var frameBatch = PacketSocket.FrameBatch()
    /// What is answered when requests come faster than they are answered.
    var shedding = DHCPLoadShedding()
    /// Replies waiting for their delay (the Pi 3B ROM's), bounded by ``shedding``.
    private(set) var delayedReplies = 0
    private var nextIdentification: UInt16 = 0
    private(set) var requestsHandled = 0
    /// What `counters` reports: messages by type, replies, ignored requests by reason.
    private(set) var tally = DHCPTally()
    /// Every DHCP event, after it is logged: DNS resets a node's "OS up" watch on its DISCOVER.
    var onEvent: ((DHCPEvent) -> Void)?
    /// The pool's active leases after a journalled change: DNS names hosts by their leases.
    var onLeasesChanged: (([Lease]) -> Void)?
    /// Proxy mode: a node of the map says which address another server gave it.
    var onSighting: ((NodeAddressSighting) -> Void)?

    init(
        interface: String, hub: IPv4Interface, responder: DHCPResponder, journal: LeaseJournal?, capture: PacketCapture?, loop: EventLoop,
        logger: Logger
    ) throws(SystemCallError) {
        packetSocket = try PacketSocket(interface: interface, filter: .udpDestinationPort(67), capture: capture)
        serverSocket = try UDPSocket(port: 67, device: interface, broadcast: true, capture: capture, capturingReceived: false)
        self.loop = loop
        self.responder = responder
        self.journal = journal
        self.logger = logger
        self.hub = hub
        try PacketFilter.dropEverything.attach(to: serverSocket.fd)
        var byte = [UInt8](repeating: 0, count: 1)
        while serverSocket.receive(into: &byte) != nil {}
        try packetSocket.watch(in: loop) { [unowned self] in self.readinessReported() }
    }

    deinit {
        loop.deregister(packetSocket.fd)
    }

    var nodeMap: NodeMap { responder.nodeMap }

    func replaceNodeMap(_ map: NodeMap) { responder.replaceNodeMap(map) }

    func activeLeases(now: Int64) -> [Lease] { responder.pool?.activeLeases(now: now) ?? [] }

    /// The pool's size and use at `now` (wall-clock seconds); nil without a pool.
    func poolCounters(now: Int64) -> PoolCounters? {
        responder.pool.map { PoolCounters(total: $0.size, assigned: $0.activeLeases(now: now).count, declined: $0.declinedAddressCount(now: now)) }
    }

    func serial(of mac: MACAddress) -> RaspberryPiSerial? { responder.serial(of: mac) }
    func bootloaderGeneration(of mac: MACAddress) -> Int? { responder.bootloaderGeneration(of: mac) }

    /// Polling the ring instead of being woken for each frame, as a NIC moderates its
    /// interrupts (Linux's NAPI, https://docs.kernel.org/networking/napi.html): once
    /// ``busyWakeUps`` wake-ups in a row came less than ``busyGapMilliseconds`` apart, the
    /// socket is left out of epoll and the ring is read every ``pollIntervalMilliseconds``
    /// instead. (Not after one short gap: a client's REQUEST follows its OFFER within a
    /// millisecond, and polling for one pair costs more than it saves.) At 4,000
    /// requests a second that is 500 wake-ups (each a context switch and an `epoll_wait`)
    /// instead of 4,000, and the replies of a poll leave in one `sendmmsg`. A request waits
    /// at most that much longer for its answer; a DHCP client waits seconds (RFC 2131 4.1).
    /// The first poll that finds the ring empty puts the socket back into epoll: a node
    /// asking now and then is answered as soon as it asks, at one wake-up a request.
    static let pollIntervalMilliseconds = 2
    static let busyGapMilliseconds = 5
    static let busyWakeUps = 3
    /// Whether the ring is being polled (the socket is out of epoll).
    private(set) var polling = false
    private var lastWakeUp: MonotonicInstant?
    /// Wake-ups in a row that came less than ``busyGapMilliseconds`` after the one before.
    private var closeWakeUps = 0
    /// Times epoll reported the ring readable: fewer than the requests while polling.
    private(set) var readinessWakeUps = 0

    private func readinessReported() {
        readinessWakeUps += 1
        let now = loop.now
        let close = lastWakeUp.map { now < $0.adding(milliseconds: Self.busyGapMilliseconds) } ?? false
        closeWakeUps = close ? closeWakeUps + 1 : 0
        lastWakeUp = now
        readFrames()
        if closeWakeUps >= Self.busyWakeUps && !polling {
            closeWakeUps = 0
            polling = true
            loop.watch(packetSocket.fd, events: 0)
            schedulePoll()
        }
    }

    /// The next poll: at once when frames are left over from a turn's batch (as the
    /// level-triggered loop would), otherwise after the interval.
    private func schedulePoll() {
        let delay = packetSocket.isBacklogged(beyond: 0) ? 0 : Self.pollIntervalMilliseconds
        loop.schedule(afterMilliseconds: delay) { [weak self] in self?.poll() }
    }

    private func poll() {
        guard packetSocket.isBacklogged(beyond: 0) else {
            polling = false
            loop.watch(packetSocket.fd, events: EPOLLIN.rawValue)
            return
        }
        packetSocket.beginTurn()
        readFrames()
        schedulePoll()
    }

    /// Every frame waiting, up to the turn's batch. The wall clock is read once a turn: a
    /// request's wait is measured from the kernel's timestamp of its frame to that reading.
    private func readFrames() {
        let now = WallClock.nanoseconds()
        while let frame = packetSocket.receive(into: &frameBuffer) {
            let waited = max(0, now - frame.receivedAtNanoseconds) / 1_000_000
            handle(frame: frame.bytes, verifyingChecksum: !frame.checksumNotReady, waitedMilliseconds: waited)
        }
        sendBatchedReplies()
    }

    private func sendBatchedReplies() {
        if !replyBatch.isEmpty { serverSocket.send(replyBatch) }
        guard !frameBatch.isEmpty else { return }
        let result = packetSocket.send(&frameBatch)
        if let error = result.error { logger.warning("cannot send \(result.dropped) DHCP replies: \(error)") }
    }

    /// Decodes straight from the receive buffer (no copy per request): the slice is only
    /// read before the next receive reuses the buffer. A reply is queued in ``replyBatch``
    /// or ``frameBatch``, which ``readFrames()`` sends after the wake-up's last request.
    private func handle(frame: ArraySlice<UInt8>, verifyingChecksum: Bool, waitedMilliseconds: Int64) {
        let message: DHCPMessage
        do {
            let decoded = try EthernetUDPFrame(decoding: frame, verifyingUDPChecksum: verifyingChecksum)
            guard decoded.destinationPort == 67 else { return }
            message = try DHCPMessage(decoding: decoded.payload)
        } catch {
            tally.countMalformed()
            logger.debug("dropped a malformed DHCP frame: \(error)")
            return
        }
        requestsHandled += 1
        tally.countReceived(message.options.messageType)
        let backlogged = packetSocket.isBacklogged(beyond: shedding.backlogDepth)
        if case .shed(let reason) = shedding.admit(message.options.messageType, waitedMilliseconds: waitedMilliseconds, backlogged: backlogged) {
            tally.countShed(reason)
            return
        }
        // Wall-clock seconds for the pool: its expiries are journalled (see LeasePool).
        let wallClock = Int64(time(nil))
        let previousLease = message.clientMAC.flatMap { responder.pool?.lease(for: $0) }
        let response = responder.respond(to: message, now: .now(), wallClock: wallClock)
        if let entry = response.journal, !persist(entry, previousLease: previousLease, now: wallClock) {
            tally.countIgnored(.leaseNotSaved)
            return
        }
        if let event = response.event {
            tally.count(event)
            log(event)
            onEvent?(event)
        }
        if let sighting = response.sighting { onSighting?(sighting) }
        if let entry = response.arpEntry { seedARP(entry) }
        guard let reply = response.reply else { return }
        if response.delayMilliseconds > 0 {
            if case .shed(let reason) = shedding.admitDelayedReply(pending: delayedReplies) {
                tally.countShed(reason)
                return
            }
            delayedReplies += 1
            loop.schedule(afterMilliseconds: response.delayMilliseconds) { [weak self] in
                guard let self else { return }
                delayedReplies -= 1
                send(reply, batched: false)
            }
        } else {
            send(reply, batched: true)
        }
    }

    /// Journals a lease change before its reply goes out; false when the change is a grant
    /// that did not reach the disk. Then the grant is rolled back (the client's previous
    /// lease, if any, is put back) and nothing is sent: no ACK, because the address is not
    /// promised; no NAK either, because a NAK makes a renewing client drop an address that
    /// its previous, journalled lease still covers (and a Pi lose its NFS root). Silent,
    /// the client retries as RFC 2131 says, by when the disk may have room again.
    private func persist(_ entry: LeaseJournalEntry, previousLease: Lease?, now: Int64) -> Bool {
        guard let journal else { return true }
        let problem: String
        switch journal.persist(entry) {
        case .written:
            compactJournalIfLarge(now: now)
            onLeasesChanged?(activeLeases(now: now))
            return true
        case .alreadyOnDisk:
            if case .grant(let lease) = entry, previousLease?.address != lease.address || previousLease?.hostname != lease.hostname {
                onLeasesChanged?(activeLeases(now: now))
            }
            return true
        case .keptInMemoryOnly:
            onLeasesChanged?(activeLeases(now: now))
            return true
        case .refusedOverBudget:
            problem = "more than \(LeaseJournal.burst) journal writes at once (\(Int(LeaseJournal.writesPerSecond)) a second after that)"
        case .failed(let error):
            problem = "\(error)"
        }
        guard case .grant(let lease) = entry else {
            logger.warning("lease journal \(journal.path): \(problem); \(entry.line) is kept in memory only", metadata: ["peer": "\(Self.peer(of: entry))"])
            return true
        }
        LeaseJournal.rollBack(lease, previous: previousLease, now: now, in: &responder)
        logger.error("lease journal \(journal.path): \(problem); not answering \(lease.mac) for \(lease.address): it will ask again", metadata: ["peer": "\(lease.mac)"])
        return false
    }

    /// The client a journal entry is about, for the log's per-client rate limit.
    private static func peer(of entry: LeaseJournalEntry) -> String {
        switch entry {
        case .grant(let lease): "\(lease.mac)"
        case .release(let mac, _): "\(mac)"
        case .decline(let address, _): "\(address)"
        }
    }

    /// `batched`: the reply joins ``replyBatch`` or ``frameBatch`` instead of going out at
    /// once (a full batch is sent first).
    private func send(_ reply: DHCPReply, batched: Bool) {
        let payload: [UInt8]
        do {
            let encoded = try reply.encoded()
            if !encoded.droppedOptions.isEmpty {
                logger.warning(
                    "reply to \(reply.message.clientMAC.map(String.init(describing:)) ?? "?") left out options \(encoded.droppedOptions) to fit \(reply.maximumMessageSize) bytes",
                    metadata: ["peer": "\(reply.message.clientMAC.map(String.init(describing:)) ?? "?")"])
            }
            payload = encoded.bytes
            tally.countReply(reply.message.options.messageType)
        } catch {
            logger.error("cannot encode a reply: \(error)", metadata: ["peer": "\(reply.message.clientMAC.map(String.init(describing:)) ?? "?")"])
            return
        }
        let destination = reply.destination
        if let mac = destination.frameMAC {
            sendFrame(payload, to: mac, address: destination.address, port: destination.port, batched: batched)
        } else if batched {
            if replyBatch.isFull { sendBatchedReplies() }
            replyBatch.append(payload, to: destination.address, port: destination.port)
        } else {
            serverSocket.send(payload, to: destination.address, port: destination.port)
        }
    }

    private func sendFrame(_ payload: [UInt8], to mac: MACAddress, address: IPv4Address, port: UInt16, batched: Bool) {
        nextIdentification &+= 1
        let frame = EthernetUDPFrame(
            sourceMAC: packetSocket.interfaceMAC, destinationMAC: mac, sourceAddress: hub.address, destinationAddress: address,
            sourcePort: DHCPReplyDestination.serverPort, destinationPort: port, identification: nextIdentification, payload: payload[...])
        if batched {
            if frameBatch.count == EventLoop.readBatch { sendBatchedReplies() }
            frameBatch.append(frame.encoded())
            return
        }
        do {
            try packetSocket.send(frame: frame.encoded())
        } catch {
            logger.warning("cannot send a reply to \(mac): \(error)", metadata: ["peer": "\(mac)"])
        }
    }

    func seedARP(_ entry: DHCPResponse.ARPEntry) {
        let result = entry.mac.bytes.withUnsafeBufferPointer {
            cnet_set_arp_entry(serverSocket.fd, packetSocket.interfaceName, entry.address.value.bigEndian, $0.baseAddress)
        }
        if result != 0 { logger.debug("cannot seed ARP \(entry.address) -> \(entry.mac): \(SystemCallError("SIOCSARP"))", metadata: ["peer": "\(entry.mac)"]) }
    }

    /// Entries beyond four per pool address before the journal is compacted.
    static let compactionSlack = 1024

    /// Keeps the journal near the size of the live pool: rewritten once it holds many more
    /// entries than leases (renewals append forever otherwise).
    private func compactJournalIfLarge(now: Int64) {
        guard let journal, let pool = responder.pool, journal.entryCount > Self.compactionSlack + 4 * pool.size else { return }
        do {
            try journal.compact(to: pool.snapshot(now: now))
        } catch {
            logger.warning("cannot compact the lease journal: \(error)")
        }
    }

    /// Client-triggered lines carry the client's MAC as `peer`, the key the log handler
    /// rate-limits by (with the call site): the source address of a DHCP request is often
    /// 0.0.0.0, the MAC is what tells clients apart.
    private func log(_ event: DHCPEvent) {
        let level: Logger.Level
        switch event.outcome {
        case .replied, .ignored(.noReplyExpected): level = .info
        case .ignored(.disabledNode): level = .notice
        // Proxy mode sees every DHCP client of the LAN: those that are none of bramble's
        // business at debug level; a repeated unknown MAC too.
        case .ignored(.unknownMAC): level = event.worthLogging ? .notice : .debug
        case .ignored: level = event.worthLogging ? .info : .debug
        }
        // The line is built only when it is written: at the usual notice level, replies are
        // not, and formatting them would cost more than answering.
        guard logger.logLevel <= level else { return }
        var who = event.mac.description
        if let name = event.nodeName { who += " \(name)" }
        var details = [event.client.description]
        if let board = event.boardRevision { details.append(board.description) }
        // A PXE client with a GUID in no Pi layout may be a Pi whose option 97 was customised.
        if case .pxe = event.client, let guid = event.clientMachineIdentifier { details.append("option 97 \(guid)") }
        if let serial = event.serial { details.append("serial \(serial)") }
        if let relay = event.relay { details.append("via \(relay)") }
        let subject = "\(event.received) from \(who) (\(details.joined(separator: ", ")))"
        let peer: Logger.Metadata = ["peer": "\(event.mac)"]
        // One call site per kind of line: the log handler rate-limits by call site and peer.
        switch event.outcome {
        case .replied(let type, let address):
            logger.info("\(subject) -> \(type)\(address.map { " \($0)" } ?? "")", metadata: peer)
        case .ignored(.unknownMAC):
            logger.log(level: level, "\(subject) ignored: unknown MAC; to serve it, add it to the node map: bramble nodes add ID \(event.mac)", metadata: peer)
        case .ignored(.disabledNode):
            logger.notice("\(subject) ignored: node \(event.nodeID.map(String.init) ?? "?") is disabled in the node map", metadata: peer)
        case .ignored(.noReplyExpected):
            logger.info("\(subject)", metadata: peer)
        case .ignored(let reason):
            logger.log(level: level, "\(subject) ignored: \(reason)", metadata: peer)
        }
    }
}
