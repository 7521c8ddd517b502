import BrambleCapture
@testable import BrambleServer
import BrambleWire
import Glibc
import Logging
import Testing

/// recvmmsg and sendmmsg through ``UDPSocket/ReceiveBatch`` and ``UDPSocket/SendBatch``, on
/// loopback: whole batches in one call with their sources, order kept, odd sizes in the
/// middle, the loop's per-turn share, refused datagrams, and `--capture`.
@Suite struct UDPSocketBatchingTests {
    static let loopback = IPv4Address(127, 0, 0, 1)

    /// Datagrams sent on loopback are queued at the receiver before sendto returns; a
    /// short pause covers a busy machine anyway.
    static func settle() { usleep(20_000) }

    static func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func oneReceiveReturnsEveryQueuedDatagramWithItsSource() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let first = try UDPSocket(address: Self.loopback, port: 0)
        let second = try UDPSocket(address: Self.loopback, port: 0)
        for index in 0..<10 {
            let client = index.isMultiple(of: 2) ? first : second
            #expect(client.send(Self.payload("query \(index)"), to: Self.loopback, port: server.localPort))
        }
        Self.settle()
        let batch = UDPSocket.ReceiveBatch(capacity: 16, slotSize: 512)
        #expect(server.receive(into: batch) == 10)
        #expect(batch.datagrams.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<10).map { "query \($0)" })
        #expect(batch.datagrams.map(\.sourcePort) == (0..<10).map { $0.isMultiple(of: 2) ? first.localPort : second.localPort })
        #expect(batch.datagrams.allSatisfy { $0.source == Self.loopback })
        #expect(batch.dropped == 0)
        #expect(batch.drained, "10 of the 16 asked for: the socket is empty")
        #expect(server.receive(into: batch) == 0 && batch.datagrams.isEmpty, "nothing left, and the last batch is gone")
    }

    /// A batch filled to capacity may have left more behind: not drained.
    @Test func aFullBatchIsNotDrained() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        for index in 0..<6 { #expect(client.send([UInt8(index)], to: Self.loopback, port: server.localPort)) }
        Self.settle()
        let batch = UDPSocket.ReceiveBatch(capacity: 4, slotSize: 16)
        #expect(server.receive(into: batch) == 4 && !batch.drained)
        #expect(server.receive(into: batch) == 2 && batch.drained)
        #expect(batch.datagrams.map { Array($0.payload) } == [[4], [5]])
    }

    /// A zero-length datagram is a datagram; one larger than its slot arrives whole through
    /// the shared spill; neither disturbs its neighbours.
    @Test func aZeroLengthAndAnOversizedDatagramInTheMiddleArriveWhole() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let large = (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let sent: [[UInt8]] = [Self.payload("before"), [], large, Self.payload("after")]
        for bytes in sent { #expect(client.send(bytes, to: Self.loopback, port: server.localPort)) }
        Self.settle()
        let batch = UDPSocket.ReceiveBatch(capacity: 8, slotSize: 512)
        #expect(server.receive(into: batch) == 4)
        #expect(batch.datagrams.map { Array($0.payload) } == sent)
        #expect(batch.dropped == 0)
    }

    /// Two datagrams that both spill in one batch share the spill: the earlier is dropped
    /// and counted, never returned with another's bytes; the later and the rest are whole.
    @Test func twoOversizedDatagramsInOneBatchKeepTheLast() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let firstLarge = [UInt8](repeating: 0xaa, count: 9000)
        let secondLarge = [UInt8](repeating: 0xbb, count: 700)
        for bytes in [firstLarge, Self.payload("middle"), secondLarge, Self.payload("last")] {
            #expect(client.send(bytes, to: Self.loopback, port: server.localPort))
        }
        Self.settle()
        let batch = UDPSocket.ReceiveBatch(capacity: 8, slotSize: 512)
        #expect(server.receive(into: batch) == 4)
        #expect(batch.dropped == 1)
        #expect(batch.datagrams.map { Array($0.payload) } == [Self.payload("middle"), secondLarge, Self.payload("last")])
        // The next batch starts clean: an oversized datagram alone arrives whole.
        #expect(client.send(firstLarge, to: Self.loopback, port: server.localPort))
        Self.settle()
        #expect(server.receive(into: batch) == 1)
        #expect(batch.dropped == 0 && batch.datagrams.map { Array($0.payload) } == [firstLarge])
    }

    /// A watched socket returns at most ``EventLoop/readBatch`` datagrams per turn, however
    /// large the batch: the rest wait for the next turn, after the other sockets.
    @Test func aBatchTakesNoMoreThanTheTurnsShare() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let total = EventLoop.readBatch + 36
        for index in 0..<total { #expect(client.send([UInt8(index)], to: Self.loopback, port: server.localPort)) }
        Self.settle()
        let loop = try EventLoop()
        let batch = UDPSocket.ReceiveBatch(capacity: 4 * EventLoop.readBatch, slotSize: 64)
        var perTurn: [Int] = []
        var received: [UInt8] = []
        try server.watch(in: loop) {
            var taken = 0
            while server.receive(into: batch) > 0 {
                taken += batch.datagrams.count
                received += batch.datagrams.map { $0.payload.first ?? 0 }
            }
            perTurn.append(taken)
            if received.count == total { loop.stop() }
        }
        loop.schedule(afterMilliseconds: 2000) { loop.stop() }
        try loop.run()
        #expect(perTurn == [EventLoop.readBatch, total - EventLoop.readBatch])
        #expect(received == (0..<total).map { UInt8($0) })
    }

    @Test func aBatchSendArrivesInOrderWithHeadersAndBodiesJoined() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let other = try UDPSocket(address: Self.loopback, port: 0)
        let batch = UDPSocket.SendBatch(capacity: 32)
        let body = [UInt8](repeating: 0x42, count: 300)
        for index in 0..<20 { #expect(batch.append(Self.payload("reply \(index)"), to: Self.loopback, port: client.localPort)) }
        let header: [UInt8] = [0, 3, 0, 1]
        let added = header.withUnsafeBytes { h in body.withUnsafeBytes { batch.append(header: h, body: $0, to: Self.loopback, port: other.localPort) } }
        #expect(added)
        #expect(batch.count == 21)
        // The body is sent from where it lies, so it must outlive the send.
        let result = body.withUnsafeBytes { _ in server.send(batch) }
        #expect(result == UDPSocket.BatchSendResult(sent: 21, dropped: 0))
        #expect(batch.isEmpty, "a sent batch is emptied for the next")
        Self.settle()
        let received = UDPSocket.ReceiveBatch(capacity: 32, slotSize: 512)
        #expect(client.receive(into: received) == 20)
        #expect(received.datagrams.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<20).map { "reply \($0)" })
        #expect(received.datagrams.allSatisfy { $0.sourcePort == server.localPort })
        #expect(other.receive(into: received) == 1)
        #expect(received.datagrams.map { Array($0.payload) } == [header + body])
    }

    /// A datagram the kernel refuses (too large for IPv4) in the middle of a batch is
    /// dropped and counted; those before and after it are sent, in order.
    @Test func aRefusedDatagramInTheMiddleDoesNotStopTheBatch() throws {
        let server = try UDPSocket(address: Self.loopback, port: 0)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        let batch = UDPSocket.SendBatch(capacity: 8)
        #expect(batch.append(Self.payload("one"), to: Self.loopback, port: client.localPort))
        #expect(batch.append([UInt8](repeating: 0, count: 70_000), to: Self.loopback, port: client.localPort))
        #expect(batch.append(Self.payload("two"), to: Self.loopback, port: client.localPort))
        #expect(server.send(batch) == UDPSocket.BatchSendResult(sent: 2, dropped: 1))
        Self.settle()
        let received = UDPSocket.ReceiveBatch(capacity: 8, slotSize: 64)
        #expect(client.receive(into: received) == 2)
        #expect(received.datagrams.map { String(decoding: $0.payload, as: UTF8.self) } == ["one", "two"])
    }

    @Test func aFullBatchRefusesMore() throws {
        let batch = UDPSocket.SendBatch(capacity: 2)
        #expect(batch.append([1], to: Self.loopback, port: 9))
        #expect(batch.append([2], to: Self.loopback, port: 9))
        #expect(batch.isFull)
        #expect(!batch.append([3], to: Self.loopback, port: 9))
        #expect(batch.count == 2)
    }

    /// `--capture` holds every datagram a batch received and sent, one record each.
    @Test func batchesAreCapturedOneRecordPerDatagram() throws {
        let path = "/tmp/bramble-batch-capture-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap"
        defer { unlink(path) }
        let capture = try PacketCapture(settings: .init(path: path, maximumBytes: 1 << 20), interface: "lo", hubAddress: Self.loopback, logger: Logger(label: "test"))
        let server = try UDPSocket(address: Self.loopback, port: 0, capture: capture)
        let client = try UDPSocket(address: Self.loopback, port: 0)
        for text in ["a", "bb", "ccc"] { #expect(client.send(Self.payload(text), to: Self.loopback, port: server.localPort)) }
        Self.settle()
        let received = UDPSocket.ReceiveBatch(capacity: 8, slotSize: 64)
        #expect(server.receive(into: received) == 3)
        let replies = UDPSocket.SendBatch(capacity: 8)
        for datagram in received.datagrams {
            #expect(replies.append(Array(datagram.payload.reversed()) + [0], to: datagram.source, port: datagram.sourcePort))
        }
        #expect(server.send(replies).sent == 3)
        capture.flush()
        let frames = try CaptureFileReader.read(path: path).map { try CapturedDatagram(decoding: $0).frame }
        #expect(frames.map { Array($0.payload) } == [Self.payload("a"), Self.payload("bb"), Self.payload("ccc"), Self.payload("a") + [0], Self.payload("bb") + [0], Self.payload("ccc") + [0]])
        #expect(frames.prefix(3).allSatisfy { $0.sourcePort == client.localPort && $0.destinationPort == server.localPort })
        #expect(frames.suffix(3).allSatisfy { $0.sourcePort == server.localPort && $0.destinationPort == client.localPort })
    }
}
