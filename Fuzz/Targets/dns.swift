import BrambleDNS
import BrambleNodeMap
import BrambleWire

/// `dns`: one query through the path `bramble serve` takes (DNSService): the fast paths
/// first (`DNSQueryView`, the zone's memo of stored answers, the forwarder's cache), then
/// the decoder, the cluster zone, and the forwarder with an upstream whose answer is fuzzed
/// too; then the same query again, now answerable from the memo or the cache.
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

private let zone: ClusterZone = {
    let nodes = """
        1 b8:27:eb:00:00:01 web01
        5 b8:27:eb:00:00:05
        6 b8:27:eb:00:00:06 db
        201 b8:27:eb:00:00:c9 switch
        """ + "\n"
    let map = try! NodeMap(parsing: nodes, fileName: "nodes", subnet: hub.subnet)
    return ClusterZone(
        nodeMap: map, hub: hub, domain: try! DomainName(parsing: "cluster"),
        dynamicHosts: [DynamicHost(hostname: Array("laptop".utf8), address: IPv4Address(10, 42, 0, 100))], serial: 7)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzReader(fuzzBytes(data, size))
    let mode = input.byte()
    let query = Array(input.chunk())[...]
    let upstreamAnswer = Array(input.rest())
    var server = DNSServerModel(overTCP: mode & 1 != 0, client: mode & 2 != 0 ? stranger : node)
    server.handle(query)
    server.answerUpstream(with: upstreamAnswer, code: DNSResponseCode(rawValue: UInt16(mode >> 4)))
    server.compareFastAndFullPaths(query)
    server.handle(query)
    server.expireAll()
    return 0
}

/// DNSService's query handling without its sockets: replies are checked instead of sent.
private struct DNSServerModel {
    let overTCP: Bool
    let client: IPv4Address
    var memo = DNSAnswerMemo(seed: 0x5eed)
    var forwarder = DNSForwarder<Int>(configuration: .init(upstreams: upstreams), cache: DNSCache(hashSeed: 7))
    var random = SplitMix64(seed: 1)
    var now: UInt64 = 5_000_000_000
    var sentUpstream: [UpstreamQuery] = []
    /// The reply limit of the query being handled, and its ID.
    var limit = DNSMessage.classicUDPSize
    var queryID: UInt16 = 0
    var buffer: [UInt8] = []

    init(overTCP: Bool, client: IPv4Address) {
        self.overTCP = overTCP
        self.client = client
    }

    mutating func handle(_ bytes: ArraySlice<UInt8>) {
        limit = overTCP ? DNSMessage.maximumTCPSize : DNSMessage.classicUDPSize
        queryID = bytes.count >= 2 ? UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1]) : 0
        let view = DNSQueryView(bytes)
        if let view {
            limit = view.maximumResponseSize(overTCP: overTCP)
            if zone.serves(client),
               memo.write(to: view, in: bytes, maximumSize: limit, into: &buffer)
                || (zone.isPlainlyElsewhere(view, in: bytes)
                    && forwarder.writeCachedAnswer(to: view, in: bytes, now: now, maximumSize: limit, into: &buffer)) {
                check(buffer, "fast path")
                return
            }
        }
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: bytes)
        } catch {
            if zone.serves(client), let reply = DNSMessage.formatErrorResponse(toUndecodable: bytes) { check(reply, "FORMERR to undecodable bytes") }
            return
        }
        let fullLimit = query.maximumResponseSize(overTCP: overTCP)
        if view != nil { invariant(fullLimit == limit, "the query view allows \(limit) bytes, the decoded query \(fullLimit)") }
        limit = fullLimit
        switch zone.respond(to: query, from: client) {
        case .answer(let response):
            if let view, zone.serves(client) { memo.remember(response, answering: view, in: bytes) }
            encode(response, maximumSize: limit, "zone answer")
        case .forward:
            perform(forwarder.forward(query, from: 1, source: client, overTCP: overTCP, now: now, generator: &random))
        case .drop:
            return
        }
    }

    /// Answers every query sent upstream with the fuzzed answer (or an empty one with
    /// `code`), as the upstream that was asked; a truncated answer's TCP retry gets it
    /// without TC.
    mutating func answerUpstream(with bytes: [UInt8], code: DNSResponseCode) {
        var rounds = 0
        while let sent = sentUpstream.first, rounds < 8 {
            sentUpstream.removeFirst()
            rounds += 1
            guard let question = try? DNSMessage(decoding: sent.bytes) else {
                invariant(false, "the forwarder sent a query it cannot decode itself: \(hexText(sent.bytes))")
                return
            }
            var answer = (try? DNSMessage(decoding: bytes)) ?? DNSMessage(responseTo: question, code: code)
            answer.header.id = sent.id
            answer.header.isResponse = true
            answer.questions = question.questions
            if sent.overTCP { answer.header.isTruncated = false }
            now += 1_000_000
            perform(forwarder.receive(answer, from: sent.upstream, now: now, generator: &random))
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
            let expected = try? full.encoded(maximumSize: query.maximumResponseSize(overTCP: overTCP))
            invariant(fast == expected, "memo and zone disagree: \(hexText(fast)) vs \(expected.map { hexText($0) } ?? "no reply"); query \(hexText(bytes))")
        }
        if forwarder.writeCachedAnswer(to: view, in: bytes, now: now, maximumSize: size, into: &fast) {
            let actions = forwarder.forward(query, from: 2, source: client, overTCP: overTCP, now: now, generator: &random)
            guard case .respond(_, let full, let fullSize)? = actions.first else {
                invariant(false, "the cache answers the fast path but not the full path: \(actions); query \(hexText(bytes))")
                return
            }
            let expected = try? full.encoded(maximumSize: fullSize)
            invariant(fast == expected, "cache fast and full paths disagree: \(hexText(fast)) vs \(expected.map { hexText($0) } ?? "no reply"); query \(hexText(bytes))")
        }
    }

    /// Time runs past every upstream deadline: the forwarder fails over and finally answers
    /// SERVFAIL, within the limits too.
    mutating func expireAll() {
        for _ in 0..<4 {
            now += 10_000_000_000
            perform(forwarder.expire(now: now, generator: &random))
            sentUpstream = []
        }
        invariant(forwarder.pendingQueryCount == 0, "\(forwarder.pendingQueryCount) queries still pending after every deadline")
    }

    private mutating func perform(_ actions: [DNSForwarderAction<Int>]) {
        for action in actions {
            switch action {
            case .sendUpstream(let query):
                invariant(query.bytes.count <= DNSMessage.maximumTCPSize, "upstream query of \(query.bytes.count) bytes")
                sentUpstream.append(query)
            case .respond(_, let message, let maximumSize):
                // Every requester asked this one query, so the forwarder's limit is its limit.
                invariant(maximumSize == limit, "a forwarded answer limited to \(maximumSize) bytes, the query's limit is \(limit)")
                encode(message, maximumSize: maximumSize, "forwarded answer")
            case .closeUpstream, .discarded:
                break
            }
        }
    }

    /// A reply to a query the decoder accepted always fits: its one echoed question (or none)
    /// is within every limit, so the encoder's typed error would mean a reply lost.
    private mutating func encode(_ message: DNSMessage, maximumSize: Int, _ path: String) {
        do {
            try message.encode(into: &buffer, maximumSize: maximumSize)
        } catch {
            invariant(false, "\(path): no reply within \(maximumSize) bytes (\(error))")
            return
        }
        check(buffer, path)
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
