import BrambleDNS
import BrambleNodeMap
@testable import BrambleServer
import BrambleWire
import Glibc
import Logging
import Testing

/// The DNS service on loopback under the queries of BrambleDNSTests' HostileDNSInputTests:
/// replies within their transport, the daemon still answering after them, and TCP
/// connections kept only by whole queries.
@Suite struct DNSServiceHostileInputTests {
    static let loopback = IPv4Address(127, 0, 0, 1)

    struct Harness {
        let loop: EventLoop
        let service: DNSService

        init(idleMilliseconds: Int = 10_000) throws {
            loop = try EventLoop()
            let hub = try #require(IPv4Interface("127.0.0.1/8"))
            var settings = DNSService.Settings(hub: hub, domain: try DomainName(parsing: "cluster"), upstreams: [])
            settings.port = 0
            settings.idleMilliseconds = idleMilliseconds
            service = try DNSService(
                settings: settings, nodeMap: try NodeMap(parsing: "", fileName: "nodes", subnet: hub.subnet), loop: loop,
                logger: Logger(label: "test"))
        }

        func turn(milliseconds: Int = 100) throws {
            loop.schedule(afterMilliseconds: milliseconds) { [loop] in loop.stop() }
            try loop.run()
        }
    }

    /// A blocking TCP client whose reads give up after 50 ms.
    final class StreamClient {
        let fd: Int32

        init(port: UInt16) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = SocketAddress.make(DNSServiceHostileInputTests.loopback, port)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(result == 0)
            var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        /// False once the server has closed (no SIGPIPE: MSG_NOSIGNAL).
        @discardableResult
        func send(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        func sendFramed(_ message: [UInt8]) throws {
            var framed: [UInt8] = []
            try LengthPrefixedFramer.frame(message, into: &framed)
            #expect(send(framed))
        }

        /// What arrived within the timeout; nil at end of stream.
        func read() -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count == 0 { return nil }
            return count > 0 ? Array(buffer[0..<count]) : []
        }

        /// The next whole message, serving the loop between reads; nil when the stream ends.
        func message(serving harness: Harness) throws -> [UInt8]? {
            var framer = LengthPrefixedFramer()
            for _ in 0..<40 {
                if let message = framer.nextMessage() { return Array(message) }
                try harness.turn(milliseconds: 20)
                guard let bytes = read() else { return nil }
                framer.append(bytes[...])
            }
            return framer.nextMessage().map(Array.init)
        }
    }

    static func soaQuery(id: UInt16) throws -> [UInt8] {
        try DNSMessage(header: DNSHeader(id: id), questions: [DNSQuestion(name: DNSName(parsing: "cluster"), type: .soa)]).encoded()
    }

    /// HostileDNSInputTests.oversizedEchoQuery, in short: ten 254-byte names whose every
    /// byte starts a valid name, then a 2-byte pointer question to each of those bytes.
    static func oversizedEchoQuery() -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        var generator = SystemRandomNumberGenerator()
        let starts = (0..<10).map { _ in
            let start = bytes.count
            let pointer = start + 3 * 64 + 61
            for index in start..<pointer {
                let labelLength: UInt8? = [0: 63, 64: 63, 128: 63, 192: 60][index - start]
                bytes.append(labelLength ?? UInt8.random(in: 1...UInt8(min(63, pointer - index)), using: &generator))
            }
            bytes += [0xc0, 0x00, 0x00, 0x10, 0x00, 0x01]
            return start
        }
        for start in starts {
            for position in start..<(start + 253) { bytes += [0xc0 | UInt8(position >> 8), UInt8(position & 0xff), 0, 1, 0, 1] }
        }
        let questions = 10 + 10 * 253
        bytes[4] = UInt8(questions >> 8)
        bytes[5] = UInt8(questions & 0xff)
        return bytes
    }

    /// The query that used to trap in LengthPrefixedFramer and stop DHCP, TFTP and DNS:
    /// FORMERR, header only, over TCP; the same connection answers the next query.
    @Test func theOversizedEchoQueryOverTCPGetsAHeaderAndTheServiceGoesOn() throws {
        let harness = try Harness()
        let client = try StreamClient(port: harness.service.localPort)
        let attack = Self.oversizedEchoQuery()
        #expect(attack.count > 17_000)
        try client.sendFramed(attack)
        let reply = try #require(try client.message(serving: harness))
        #expect(reply.count == DNSMessage.headerLength)
        let decoded = try DNSMessage(decoding: reply)
        #expect(decoded.responseCode == .formatError && decoded.questions.isEmpty)
        try client.sendFramed(Self.soaQuery(id: 7))
        let next = try DNSMessage(decoding: try #require(try client.message(serving: harness)))
        #expect(next.header.id == 7 && next.answers.count == 1)
    }

    /// Over UDP the reply is the 12-byte header, not several times the query.
    @Test func theOversizedEchoQueryOverUDPGetsAHeader() throws {
        let harness = try Harness()
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let attack = Self.oversizedEchoQuery()
        #expect(client.send(attack, to: Self.loopback, port: harness.service.localPort))
        try harness.turn()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let reply = try #require(client.receive(into: &buffer)).payload
        #expect(reply.count == DNSMessage.headerLength)
        #expect(try DNSMessage(decoding: reply).responseCode == .formatError)
    }

    /// A client that sends a byte every 100 ms and never a whole query is closed once the
    /// idle period (300 ms here) has passed since it connected: bytes are not activity.
    @Test func tricklingBytesDoesNotKeepAConnectionOpen() throws {
        let harness = try Harness(idleMilliseconds: 300)
        let client = try StreamClient(port: harness.service.localPort)
        let query = try Self.soaQuery(id: 1)
        #expect(client.send([0, UInt8(query.count)]))
        var closed = false
        for byte in query.prefix(12) {
            try harness.turn(milliseconds: 100)
            if !client.send([byte]) || client.read() == nil {
                closed = true
                break
            }
        }
        #expect(closed, "still open 1.2 s after connecting, with 300 ms of idle allowed")
    }

    /// Whole queries every 100 ms keep the same connection open well past the idle period.
    @Test func wholeQueriesKeepAConnectionOpen() throws {
        let harness = try Harness(idleMilliseconds: 300)
        let client = try StreamClient(port: harness.service.localPort)
        for id in UInt16(1)...12 {
            try client.sendFramed(Self.soaQuery(id: id))
            let reply = try #require(try client.message(serving: harness), "closed before query \(id)")
            #expect(try DNSMessage(decoding: reply).header.id == id)
            try harness.turn(milliseconds: 60)
        }
    }

    /// One address holds at most 16 of the 64 TCP slots: the 17th is closed at once, the
    /// first 16 are served.
    @Test func oneAddressCannotTakeEveryTCPSlot() throws {
        let harness = try Harness()
        let clients = try (0..<17).map { _ in try StreamClient(port: harness.service.localPort) }
        try harness.turn()
        #expect(clients[16].read() == nil, "the 17th connection is closed")
        for (index, client) in clients.prefix(16).enumerated() {
            try client.sendFramed(Self.soaQuery(id: UInt16(index)))
            let reply = try #require(try client.message(serving: harness), "connection \(index)")
            #expect(try DNSMessage(decoding: reply).header.id == UInt16(index))
        }
    }

    /// 150 queries queued at once do not hold the loop: another socket that became
    /// readable after them is served after the first 64, and the rest follow.
    @Test func aFloodOfDatagramsDoesNotStarveOtherSockets() throws {
        let harness = try Harness()
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let other = try UDPSocket(address: Self.loopback, port: 0)
        let query = try Self.soaQuery(id: 1)
        for _ in 0..<150 { #expect(client.send(query, to: Self.loopback, port: harness.service.localPort)) }
        #expect(client.send([1], to: Self.loopback, port: other.localPort))
        var seenAt: Int?
        var buffer = [UInt8](repeating: 0, count: 64)
        try harness.loop.register(other.fd) { [service = harness.service] _ in
            while other.receive(into: &buffer) != nil { seenAt = seenAt ?? service.queriesReceived }
        }
        try harness.turn()
        #expect(seenAt.map { $0 <= DNSService.datagramsPerTurn && $0 < 150 } == true, "DNS had handled \(String(describing: seenAt))")
        #expect(harness.service.queriesReceived == 150)
    }
}
