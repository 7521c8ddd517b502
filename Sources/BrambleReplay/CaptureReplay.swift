import BrambleCapture
import BrambleDHCP
import BrambleDNS
import BrambleNodeMap
import BrambleTFTP
import BrambleWire

/// Replays a capture through the pure responders and compares their answers with the
/// capture's, conversation by conversation, in order.
///
/// The capture's timestamps are the clock: DHCP's pool time is the request's second, TFTP's
/// and DNS's monotonic instants are its nanoseconds. DNS runs the daemon's own core
/// (``DNSServer``), fast paths included. Which side a packet is on
/// follows from the hub's address and the well-known ports:
/// - to port 67: a DHCP request; from the hub's port 67: a reply.
/// - to the hub's port 69: a TFTP request; from the hub to that client's address and port
///   (any server port: the daemon's one transfer port, or a port per transfer in older
///   captures): its transfer's packets; from that client to the hub's other ports: its
///   ACKs and ERRORs.
/// - to the hub's port 53: a DNS query; from the hub's port 53: an answer; from the hub to
///   port 53: an upstream query; from port 53 to the hub: an upstream's answer, fed to the
///   forwarder in place of the network (with its ID rewritten to the replay's query ID).
public struct CaptureReplay {
    private let configuration: ReplayConfiguration
    private var dhcp: DHCPResponder
    private var dns: DNSServer
    /// The DNS core's replies, reused from query to query as the daemon does.
    private var dnsReply: [UInt8] = []
    /// The daemon's TFTP server itself, on the configuration's boot tree.
    private var tftp: TFTPServer<ReplayBootTree>
    private var random = SplitMix64(seed: 0x9e37_79b9_7f4a_7c15)
    private var expected: [ReplayConversation: [(number: Int, packet: ReplayedPacket)]] = [:]
    private var produced: [ReplayConversation: [ReplayedPacket]] = [:]
    private var report = ReplayReport()
    /// Capture upstream query ID -> its question, to route the capture's upstream answers.
    private var captureUpstreamQuestions: [UInt16: DNSQuestion] = [:]
    /// Replay's upstream queries in flight, by question, oldest first.
    private var replayUpstreamIDs: [DNSQuestion: [UInt16]] = [:]
    /// TFTP clients whose request the capture shows.
    private var tftpClients: Set<ReplayConversation> = []
    /// Proxy mode: the nodes' addresses seen in the capture's REQUESTs, as `bramble serve`
    /// learns them (docs/proxy-dhcp.md); nil in server mode.
    private var assigned: AssignedAddresses?
    private var lastTimestamp = CaptureTimestamp(seconds: 0, nanoseconds: 0)
    private var currentCause = 0

    public init(configuration: ReplayConfiguration) {
        self.configuration = configuration
        let responder = DHCPResponder(settings: configuration.dhcp, nodeMap: configuration.nodeMap, pool: configuration.pool)
        dhcp = responder
        if configuration.dhcp.mode == .proxy { assigned = AssignedAddresses() }
        let served = assigned.map { configuration.nodeMap.addressed(by: $0) } ?? configuration.nodeMap
        dns = DNSServer(
            settings: .init(hub: configuration.hub, domain: configuration.domain, upstreams: configuration.upstreams),
            nodeMap: served, wallClockSeconds: 1, hashSeed: 0)
        tftp = TFTPServer(
            tree: configuration.servedTree, nodeMap: served,
            settings: TFTPServer.Settings(
                hub: configuration.hub.address, defaultRoot: configuration.defaultRoot, admission: configuration.tftpAdmission,
                limits: configuration.tftpLimits)
        ) { _ in RaspberryPiDHCPReport() }
    }

    /// The map TFTP and DNS answer from: in proxy mode with the addresses learned so far.
    private var servedMap: NodeMap { assigned.map { configuration.nodeMap.addressed(by: $0) } ?? configuration.nodeMap }

    private var hub: IPv4Address { configuration.hub.address }

    /// Replays every frame and compares. Frames that are not this hub's DHCP, TFTP or DNS
    /// traffic are listed as skipped.
    public static func run(_ frames: [CapturedFrame], configuration: ReplayConfiguration) -> ReplayReport {
        var replay = CaptureReplay(configuration: configuration)
        for frame in frames { replay.feed(frame) }
        return replay.finish()
    }

    public mutating func feed(_ frame: CapturedFrame) {
        let datagram: CapturedDatagram
        do {
            datagram = try CapturedDatagram(decoding: frame)
        } catch {
            report.skipped.append((frame.number, "\(error)"))
            return
        }
        advanceClock(to: datagram.timestamp)
        currentCause = datagram.number
        let f = datagram.frame
        if f.destinationPort == 67, f.sourceAddress != hub {
            dhcpRequest(datagram)
        } else if f.sourcePort == 67, f.sourceAddress == hub {
            dhcpReply(datagram)
        } else if f.destinationAddress == hub, f.destinationPort == 69 {
            tftpRequest(datagram)
        } else if f.destinationAddress == hub, f.destinationPort == 53 {
            dnsQuery(datagram)
        } else if f.sourceAddress == hub, f.sourcePort == 53 {
            expect(.dns(client: f.destinationAddress, port: f.destinationPort, id: dnsID(f.payload)), datagram)
        } else if f.sourceAddress == hub, f.destinationPort == 53 {
            captureUpstreamQuery(datagram)
        } else if f.sourcePort == 53, f.destinationAddress == hub {
            upstreamAnswer(datagram)
        } else if f.sourceAddress == hub, tftpClients.contains(.tftp(client: f.destinationAddress, port: f.destinationPort)) {
            expect(.tftp(client: f.destinationAddress, port: f.destinationPort), datagram)
        } else if f.destinationAddress == hub, tftpClients.contains(.tftp(client: f.sourceAddress, port: f.sourcePort)) {
            tftpClientPacket(datagram)
        } else {
            report.skipped.append((datagram.number, "not DHCP, TFTP or DNS of hub \(hub): \(f.sourceAddress):\(f.sourcePort) -> \(f.destinationAddress):\(f.destinationPort)"))
        }
    }

    public mutating func finish() -> ReplayReport {
        for conversation in Set(expected.keys).union(produced.keys).sorted() {
            compare(conversation, capture: expected[conversation] ?? [], replay: produced[conversation] ?? [])
        }
        return report
    }

    // MARK: the clock

    private mutating func advanceClock(to timestamp: CaptureTimestamp) {
        lastTimestamp = max(lastTimestamp, timestamp)
        let now = UInt64(max(0, lastTimestamp.totalNanoseconds))
        // Every timer due by now, earliest first: the retransmissions the capture shows.
        while let (id, deadline) = tftp.nextDeadline, deadline.nanoseconds <= now {
            performTFTP(tftp.timerFired(id, at: deadline), for: id, at: CaptureTimestamp(totalNanoseconds: Int64(deadline.nanoseconds)))
        }
        if let deadline = dns.nextDeadline, deadline.nanoseconds <= now {
            perform(dns.expire(now: MonotonicInstant(nanoseconds: now), generator: &random))
        }
    }

    // MARK: DHCP

    private mutating func dhcpRequest(_ datagram: CapturedDatagram) {
        report.fed["DHCP", default: 0] += 1
        guard let request = try? DHCPMessage(decoding: datagram.payload) else { return }
        let response = dhcp.respond(
            to: request, now: MonotonicInstant(nanoseconds: UInt64(max(0, datagram.timestamp.totalNanoseconds))),
            wallClock: datagram.timestamp.seconds)
        if let sighting = response.sighting, var learned = assigned, learned.assign(sighting.address, toNode: sighting.nodeID) {
            assigned = learned
            tftp.nodeMap = servedMap
            dns.replace(nodeMap: servedMap, domain: configuration.domain, wallClockSeconds: UInt32(clamping: datagram.timestamp.seconds))
        }
        if response.journal != nil, let pool = dhcp.pool {
            dns.replace(
                dynamicHosts: Lease.dnsHosts(pool.activeLeases(now: datagram.timestamp.seconds)),
                wallClockSeconds: UInt32(clamping: datagram.timestamp.seconds))
        }
        let responder = dhcp
        tftp.reportOf = { RaspberryPiDHCPReport(serial: responder.serial(of: $0)?.description, bootloaderGeneration: responder.bootloaderGeneration(of: $0)) }
        guard let reply = response.reply, let mac = reply.message.clientMAC, let encoded = try? reply.encoded() else { return }
        let destination = reply.destination
        emit(.dhcp(client: mac), ReplayedPacket(
            cause: datagram.number, timestamp: datagram.timestamp, source: hub, sourcePort: DHCPReplyDestination.serverPort,
            destination: destination.address, destinationPort: destination.port, destinationMAC: destination.frameMAC,
            payload: encoded.bytes))
    }

    private mutating func dhcpReply(_ datagram: CapturedDatagram) {
        guard let reply = try? DHCPMessage(decoding: datagram.payload), let mac = reply.clientMAC else {
            report.differences.append(ReplayDifference(
                conversation: .dhcp(client: datagram.frame.destinationMAC), capturePacket: datagram.number, cause: nil,
                details: ["the capture's reply is not a DHCP message the codec reads"]))
            return
        }
        expect(.dhcp(client: mac), datagram)
    }

    // MARK: TFTP

    private mutating func tftpRequest(_ datagram: CapturedDatagram) {
        report.fed["TFTP", default: 0] += 1
        let id = TFTPTransferID(address: datagram.frame.sourceAddress, port: datagram.frame.sourcePort)
        tftpClients.insert(.tftp(client: id.address, port: id.port))
        switch tftp.request(datagram.payload, from: id, at: instant(datagram)) {
        case .ignored: break
        case .refused(let refusal): emitTFTP(refusal.payload, to: id)
        case .admitted(let start): performTFTP(tftp.begin(start, at: instant(datagram)), for: id)
        }
    }

    private mutating func tftpClientPacket(_ datagram: CapturedDatagram) {
        report.fed["TFTP", default: 0] += 1
        let id = TFTPTransferID(address: datagram.frame.sourceAddress, port: datagram.frame.sourcePort)
        performTFTP((try? tftp.received(datagram.payload, from: id, at: instant(datagram))) ?? nil, for: id)
    }

    /// What `TFTPSession` does with the server's actions, as packets: the OACK or ERROR,
    /// then the DATA blocks (a block that cannot be read ends the transfer through the
    /// server, as on the wire). Timers and endings are the server's own bookkeeping.
    private mutating func performTFTP(_ actions: TFTPTransfer.Actions?, for id: TFTPTransferID, at time: CaptureTimestamp? = nil) {
        guard let actions else { return }
        if let packet = actions.packet, let bytes = try? packet.encoded() { emitTFTP(bytes, to: id, at: time) }
        for index in actions.blocks {
            guard let transfer = tftp.transfers[id]?.transfer else { return }
            do throws(TFTPReadError) {
                emitTFTP(try transfer.dataPacket(actions.block(index)), to: id, at: time)
            } catch {
                performTFTP(tftp.readFailed(id, error), for: id, at: time)
                return
            }
        }
    }

    /// A TFTP packet to `id`, sent at the current packet's time or, for a retransmission,
    /// at the timer's deadline.
    private mutating func emitTFTP(_ payload: [UInt8], to id: TFTPTransferID, at time: CaptureTimestamp? = nil) {
        emit(.tftp(client: id.address, port: id.port), ReplayedPacket(
            cause: currentCause, timestamp: time ?? lastTimestamp, source: hub, sourcePort: 69, destination: id.address,
            destinationPort: id.port, payload: payload))
    }

    private func instant(_ datagram: CapturedDatagram) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: UInt64(max(0, datagram.timestamp.totalNanoseconds)))
    }

    // MARK: DNS

    private mutating func dnsQuery(_ datagram: CapturedDatagram) {
        report.fed["DNS", default: 0] += 1
        let f = datagram.frame
        let outcome = dns.answer(
            query: datagram.payload, from: .datagram(f.sourceAddress, port: f.sourcePort), address: f.sourceAddress,
            now: instant(datagram), generator: &random, reply: &dnsReply)
        switch outcome.disposition {
        case .answer: emitDNS(dnsReply, to: f.sourceAddress, port: f.sourcePort)
        case .forwarder(let actions): perform(actions)
        case .drop: return
        }
    }

    private mutating func captureUpstreamQuery(_ datagram: CapturedDatagram) {
        guard let query = try? DNSMessage(decoding: datagram.payload), let question = query.question else {
            report.skipped.append((datagram.number, "upstream query the codec cannot read"))
            return
        }
        captureUpstreamQuestions[query.header.id] = question
        expect(.upstream(question: question.description), datagram)
    }

    private mutating func upstreamAnswer(_ datagram: CapturedDatagram) {
        guard var answer = try? DNSMessage(decoding: datagram.payload),
              let question = captureUpstreamQuestions[answer.header.id],
              let replayID = replayUpstreamIDs[question]?.first else {
            report.skipped.append((datagram.number, "upstream answer to no query replay has in flight"))
            return
        }
        answer.header.id = replayID
        report.upstreamAnswerRewrites[datagram.number] = (replayID, Self.upstreamPort(for: replayID))
        let source = UpstreamServer(address: datagram.frame.sourceAddress, port: datagram.frame.sourcePort)
        perform(dns.receiveUpstream(answer, from: source, now: instant(datagram), generator: &random))
    }

    private mutating func perform(_ actions: [DNSServerAction]) {
        for action in actions {
            switch action {
            case .sendUpstream(let query):
                guard let message = try? DNSMessage(decoding: query.bytes[...]), let question = message.question else { continue }
                replayUpstreamIDs[question, default: []].append(query.id)
                emit(.upstream(question: question.description), ReplayedPacket(
                    cause: currentCause, timestamp: lastTimestamp, source: hub, sourcePort: Self.upstreamPort(for: query.id),
                    destination: query.upstream.address, destinationPort: query.upstream.port, payload: query.bytes))
            case .closeUpstream(let id):
                for (question, ids) in replayUpstreamIDs where ids.contains(id) {
                    replayUpstreamIDs[question] = ids.filter { $0 != id }
                }
            case .reply(.datagram(let address, let port), let bytes, _, _):
                emitDNS(bytes, to: address, port: port)
            case .reply(.stream, _, _, _), .drop:
                continue
            }
        }
    }

    /// An answer to a client's query: its conversation is the query's, by the ID it echoes.
    private mutating func emitDNS(_ bytes: [UInt8], to address: IPv4Address, port: UInt16) {
        emit(.dns(client: address, port: port, id: dnsID(bytes[...])), ReplayedPacket(
            cause: currentCause, timestamp: lastTimestamp, source: hub, sourcePort: 53, destination: address, destinationPort: port,
            payload: bytes))
    }

    /// The source port replay gives an upstream query (the daemon's is random): ephemeral,
    /// and a function of the ID, so `--update` can route the upstream's answer to it.
    static func upstreamPort(for id: UInt16) -> UInt16 { 49152 + id % 16384 }

    private func dnsID(_ payload: ArraySlice<UInt8>) -> UInt16 {
        payload.count >= 2 ? NetworkByteOrder.uint16(payload, at: 0) : 0
    }

    // MARK: comparing

    private mutating func emit(_ conversation: ReplayConversation, _ packet: ReplayedPacket) {
        produced[conversation, default: []].append(packet)
        report.produced.append(packet)
    }

    private mutating func expect(_ conversation: ReplayConversation, _ datagram: CapturedDatagram) {
        let f = datagram.frame
        expected[conversation, default: []].append((datagram.number, ReplayedPacket(
            cause: datagram.number, timestamp: datagram.timestamp, source: f.sourceAddress, sourcePort: f.sourcePort,
            destination: f.destinationAddress, destinationPort: f.destinationPort, destinationMAC: f.destinationMAC,
            payload: Array(f.payload))))
    }

    private mutating func compare(_ conversation: ReplayConversation, capture: [(number: Int, packet: ReplayedPacket)], replay: [ReplayedPacket]) {
        for index in 0..<max(capture.count, replay.count) {
            let c = index < capture.count ? capture[index] : nil
            let r = index < replay.count ? replay[index] : nil
            var details: [String]
            switch (c, r) {
            case (let c?, let r?):
                report.compared += 1
                details = ReplayPacketComparison.differences(conversation, capture: c.packet, replay: r)
            case (let c?, nil):
                report.compared += 1
                details = ["the capture's server sent this, replay sends nothing: \(ReplayPacketComparison.summary(conversation, c.packet.payload))"]
            case (nil, let r?):
                details = ["replay sends a packet the capture does not have: \(ReplayPacketComparison.summary(conversation, r.payload))"]
            case (nil, nil):
                details = []
            }
            if !details.isEmpty {
                report.differences.append(ReplayDifference(conversation: conversation, capturePacket: c?.number, cause: r?.cause, details: details))
            }
        }
    }
}
