import BrambleDNS
import BrambleNodeMap
import BrambleWire

/// `dns`: one query through `DNSServer`, the core `bramble serve` and `bramble replay` run:
/// the fast paths first (`DNSQueryView`, the zone's memo of stored answers, the forwarder's
/// cache), then the decoder, the cluster zone, and the forwarder with an upstream whose
/// answer is fuzzed too; then the same query again, now answerable from the memo or the
/// cache. The fast paths are also checked piece by piece against the full path.
///
/// Input: a mode byte (bit 0: over TCP; bit 1: from an address outside the cluster subnet),
/// the query with a 16-bit length, then the upstream's answer (its ID and question are set
/// to match what the forwarder sent, so it is accepted and cached).
///
/// Invariants: every reply is within its transport's limit (UDP: the query's EDNS size,
/// clamped, or 512; TCP: 65,535) and decodes again, with the query's ID; when the fast path
/// answers, its bytes are exactly what the full path encodes; a query the zone calls
/// plainly elsewhere is one the full zone forwards; the query view and the decoder agree on
/// the reply limit.
private let hub = IPv4Interface("10.42.0.250/24")!
private let node = IPv4Address(10, 42, 0, 5)
private let stranger = IPv4Address(198, 51, 100, 7)
private let upstreams = [UpstreamServer(address: IPv4Address(192, 0, 2, 53)), UpstreamServer(address: IPv4Address(192, 0, 2, 54))]

private let hubSettings = DNSServer.Settings(hub: hub, domain: try! DomainName(parsing: "cluster"), upstreams: upstreams)
private let nodeMap: NodeMap = {
    let nodes = """
        1 b8:27:eb:00:00:01 web01
        5 b8:27:eb:00:00:05
        6 b8:27:eb:00:00:06 db
        201 b8:27:eb:00:00:c9 switch
        """ + "\n"
    return try! NodeMap(parsing: nodes, fileName: "nodes", subnet: hub.subnet)
}()
private let dynamicHosts = [DynamicHost(hostname: Array("laptop".utf8), address: IPv4Address(10, 42, 0, 100))]
private let zone = ClusterZone(nodeMap: nodeMap, hub: hub, domain: hubSettings.domain, dynamicHosts: dynamicHosts, serial: 7)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzReader(fuzzBytes(data, size))
    let mode = input.byte()
    let query = Array(input.chunk())[...]
    let upstreamAnswer = Array(input.rest())
    var server = DNSServerModel(overTCP: mode & 1 != 0, client: mode & 2 != 0 ? stranger : node)
    server.upstreamAnswer = upstreamAnswer
    server.upstreamCode = DNSResponseCode(rawValue: UInt16(mode >> 4))
    server.handle(query)
    server.answerUpstream()
    server.compareFastAndFullPaths(query)
    server.handle(query)
    server.expireAll()
    return 0
}

/// The core as the daemon drives it, replies checked instead of sent; and, for the fast
/// paths' byte-for-byte check, the memo and the forwarder driven by hand as the core drives
/// them.
private struct DNSServerModel {
    let overTCP: Bool
    let client: IPv4Address
    var server: DNSServer = {
        var server = DNSServer(settings: hubSettings, nodeMap: nodeMap, wallClockSeconds: 7, hashSeed: 0x5eed)
        server.replace(dynamicHosts: dynamicHosts, wallClockSeconds: 7)
        return server
    }()
    var memo = DNSAnswerMemo(seed: 0x5eed)
    var forwarder = DNSForwarder<Int>(configuration: .init(upstreams: upstreams), cache: DNSCache(hashSeed: 7))
    var random = SplitMix64(seed: 1)
    var now = MonotonicInstant(nanoseconds: 5_000_000_000)
    var sentUpstream: [UpstreamQuery] = []
    /// The reply limit of the query being handled, and its ID.
    var limit = DNSMessage.classicUDPSize
    var queryID: UInt16 = 0
    var buffer: [UInt8] = []
    /// What the upstream answers: the fuzzed bytes, or when they do not decode an empty
    /// answer with the fuzzed code.
    var upstreamAnswer: [UInt8] = []
    var upstreamCode = DNSResponseCode.noError

    init(overTCP: Bool, client: IPv4Address) {
        self.overTCP = overTCP
        self.client = client
    }

    var dnsClient: DNSClient { overTCP ? .stream(connection: 1) : .datagram(client, port: 5353) }

    mutating func handle(_ bytes: ArraySlice<UInt8>) {
        limit = overTCP ? DNSMessage.maximumTCPSize : DNSMessage.classicUDPSize
        queryID = bytes.count >= 2 ? UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1]) : 0
        let view = DNSQueryView(bytes)
        if let view { limit = view.maximumResponseSize(overTCP: overTCP) }
        if view != nil, let query = try? DNSMessage(decoding: bytes) {
            let fullLimit = query.maximumResponseSize(overTCP: overTCP)
            invariant(fullLimit == limit, "the query view allows \(limit) bytes, the decoded query \(fullLimit)")
        } else if let query = try? DNSMessage(decoding: bytes) {
            limit = query.maximumResponseSize(overTCP: overTCP)
        }
        let outcome = server.answer(query: bytes, from: dnsClient, address: client, now: now, generator: &random, reply: &buffer)
        switch outcome.disposition {
        case .answer(_, let code):
            check(buffer, "answer")
            invariant(code.rawValue & 0xf == UInt16(buffer[3] & 0xf), "the outcome says \(code), the reply's header \(buffer[3] & 0xf)")
        case .forwarder(let actions): perform(actions)
        case .drop: return
        }
        handleByHand(bytes)
    }

    /// The memo and the forwarder as the core drives them, so that
    /// ``compareFastAndFullPaths(_:)`` can ask each for its answer.
    private mutating func handleByHand(_ bytes: ArraySlice<UInt8>) {
        guard zone.serves(client), let query = try? DNSMessage(decoding: bytes) else { return }
        switch zone.respond(to: query, from: client) {
        case .answer(let response):
            if let view = DNSQueryView(bytes) { memo.remember(response, answering: view, in: bytes) }
        case .forward:
            let actions = forwarder.forward(query, from: 1, source: client, overTCP: overTCP, now: now, generator: &random)
            for case .sendUpstream(let sent) in actions {
                var answer = answerFromUpstream(to: sent)
                answer.header.isTruncated = false
                _ = forwarder.receive(answer, from: sent.upstream, now: now + .milliseconds(1), generator: &random)
            }
        case .drop:
            return
        }
    }

    /// The fuzzed answer (or an empty one with the fuzzed code) to `sent`, with its ID and
    /// question.
    private func answerFromUpstream(to sent: UpstreamQuery) -> DNSMessage {
        guard let question = try? DNSMessage(decoding: sent.bytes) else {
            invariant(false, "the forwarder sent a query it cannot decode itself: \(hexText(sent.bytes))")
            return DNSMessage(header: DNSHeader(id: sent.id))
        }
        var answer = (try? DNSMessage(decoding: upstreamAnswer)) ?? DNSMessage(responseTo: question, code: upstreamCode)
        answer.header.id = sent.id
        answer.header.isResponse = true
        answer.questions = question.questions
        if sent.overTCP { answer.header.isTruncated = false }
        return answer
    }

    /// Answers every query sent upstream with the fuzzed answer (or an empty one with the
    /// fuzzed code), as the upstream that was asked; a truncated answer's TCP retry gets it
    /// without TC.
    mutating func answerUpstream() {
        var rounds = 0
        while let sent = sentUpstream.first, rounds < 8 {
            sentUpstream.removeFirst()
            rounds += 1
            let answer = answerFromUpstream(to: sent)
            now = now + .milliseconds(1)
            guard let encoded = try? answer.encoded(limit: DNSMessage.maximumTCPSize) else { continue }
            perform(server.receiveUpstream(encoded[...], from: sent.upstream, now: now, generator: &random))
        }
    }

    /// With the memo or the cache now holding the answer, the fast path must write what
    /// the full path encodes, byte for byte. (Clients the zone does not serve never take
    /// the fast path.)
    mutating func compareFastAndFullPaths(_ bytes: ArraySlice<UInt8>) {
        guard zone.serves(client), let view = DNSQueryView(bytes), let query = try? DNSMessage(decoding: bytes) else { return }
        let size = view.maximumResponseSize(overTCP: overTCP)
        let disposition = zone.respond(to: query, from: client)
        if zone.isPlainlyElsewhere(view, in: bytes) {
            invariant(disposition == .forward, "the fast path calls the query elsewhere, the zone answers it: \(hexText(bytes))")
        }
        var fast: [UInt8] = []
        if memo.write(to: view, in: bytes, maximumSize: size, into: &fast) {
            guard case .answer(let full) = disposition else {
                invariant(false, "the memo answers a query the zone does not: \(hexText(bytes))")
                return
            }
            let expected = try? full.encoded(limit: query.maximumResponseSize(overTCP: overTCP))
            invariant(fast == expected, "memo and zone disagree: \(hexText(fast)) vs \(expected.map { hexText($0) } ?? "no reply"); query \(hexText(bytes))")
        }
        if forwarder.writeCachedAnswer(to: view, in: bytes, now: now, maximumSize: size, into: &fast) {
            let actions = forwarder.forward(query, from: 2, source: client, overTCP: overTCP, now: now, generator: &random)
            guard case .respond(_, let full, let fullSize)? = actions.first else {
                invariant(false, "the cache answers the fast path but not the full path: \(actions); query \(hexText(bytes))")
                return
            }
            let expected = try? full.encoded(limit: fullSize)
            invariant(fast == expected, "cache fast and full paths disagree: \(hexText(fast)) vs \(expected.map { hexText($0) } ?? "no reply"); query \(hexText(bytes))")
        }
    }

    /// Time runs past every upstream deadline: the forwarder fails over and finally answers
    /// SERVFAIL, within the limits too.
    mutating func expireAll() {
        for _ in 0..<4 {
            now = now + .seconds(10)
            perform(server.expire(now: now, generator: &random))
            sentUpstream = []
        }
        invariant(server.nextDeadline == nil, "queries still pending after every deadline")
    }

    /// A reply to a query the decoder accepted always fits: its one echoed question (or none)
    /// is within every limit, so a reply dropped for not fitting would mean a reply lost.
    private mutating func perform(_ actions: [DNSServerAction]) {
        for action in actions {
            switch action {
            case .sendUpstream(let query):
                invariant(query.bytes.count <= DNSMessage.maximumTCPSize, "upstream query of \(query.bytes.count) bytes")
                sentUpstream.append(query)
            case .reply(let to, let bytes, _, _):
                invariant(to == dnsClient, "a reply to \(to), the client is \(dnsClient)")
                check(bytes, "forwarded answer")
            case .drop(.replyDoesNotFit(_, let error)):
                invariant(false, "no reply within its limit (\(error))")
            case .closeUpstream, .drop:
                break
            }
        }
    }

    private func check(_ reply: [UInt8], _ path: String) {
        invariant(reply.count <= limit, "\(path): a reply of \(reply.count) bytes over its limit of \(limit) (\(overTCP ? "TCP" : "UDP"))")
        invariant(reply.count <= DNSMessage.maximumTCPSize, "\(path): a reply of \(reply.count) bytes cannot be framed over TCP")
        let decoded: DNSMessage
        do {
            decoded = try DNSMessage(decoding: reply)
        } catch {
            invariant(false, "\(path): the reply does not decode (\(error)): \(hexText(reply))")
            return
        }
        invariant(decoded.header.isResponse, "\(path): the reply is not a response")
        invariant(decoded.header.id == queryID, "\(path): reply ID \(decoded.header.id), query ID \(queryID)")
    }
}
