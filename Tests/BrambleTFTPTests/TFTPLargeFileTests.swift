import BrambleTFTP
import Testing

/// A file past 65,536 blocks, as a Pi's large initramfs is at 512-byte blocks (36.6 MiB
/// here): the block number on the wire wraps to 0 after 65535 (RFC 1350's 16-bit field; the
/// Pi bootloader handles the wrap since its 2025-09 release), and the transfer must go on
/// across it, to the end, without confusing a wrapped ACK with an old one.
@Suite struct TFTPLargeFileTests {
    /// File bytes that depend on their offset, computed on demand: no 36 MiB array, and a
    /// block read from the wrong offset would not match.
    struct PatternContents: TFTPFileContents {
        let count: Int

        static func byte(at offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 31 &+ offset >> 9 &+ offset >> 17) }

        func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(TFTPReadError) {
            for index in buffer.indices { buffer[index] = Self.byte(at: offset + index) }
        }
    }

    /// A client that knows only the 16-bit wire numbers, as a real one does: it takes the
    /// block it expects next, ACKs the last one it took, and writes the data at its end.
    struct Client {
        var expected: UInt16 = 1
        var received = 0
        var blocks = 0
        var finished = false

        /// Takes what the server sent; returns the ACK to send, if any.
        mutating func take(_ actions: some Sequence<TFTPTransfer.Action>, blockSize: Int) -> UInt16? {
            var acknowledge: UInt16?
            for case .sendData(let block) in actions where block.number == expected {
                #expect(block.range.lowerBound == received, "block \(block.number) at offset \(block.range.lowerBound), expected \(received)")
                received = block.range.upperBound
                blocks += 1
                finished = block.range.count < blockSize
                acknowledge = expected
                expected &+= 1
            }
            return acknowledge
        }
    }

    static let blockCount = 75_001
    static let size = (blockCount - 1) * 512 + 100

    @Test func aFileOf75001BlocksOf512BytesIsSentWholeAcrossTheWrap() throws {
        let contents = PatternContents(count: Self.size)
        var transfer = TFTPTransfer(
            contents: contents,
            parameters: TFTPTransferParameters(
                blockSize: 512, windowSize: 1, timeout: nil, acknowledgedOptions: [TFTPOption("blksize", "512"), TFTPOption("tsize", String(Self.size))]))
        #expect(transfer.blockCount == Self.blockCount)
        #expect(transfer.start(now: at(0)).first == .send(.optionAcknowledgement([TFTPOption("blksize", "512"), TFTPOption("tsize", String(Self.size))])))
        var client = Client()
        var actions = transfer.received(.acknowledgement(block: 0), now: at(0))
        var wireNumbers: [UInt16] = []
        while let ack = client.take(actions, blockSize: 512) {
            wireNumbers.append(ack)
            actions = transfer.received(.acknowledgement(block: ack), now: at(1))
        }
        #expect(client.finished && client.received == Self.size && client.blocks == Self.blockCount)
        #expect(wireNumbers[65533...65536] == [65534, 65535, 0, 1], "block 65536 goes out as 0")
        #expect(wireNumbers.last == UInt16((Self.blockCount) % 65536))
        guard case .finished(let summary) = actions.first else {
            Issue.record("no end after the last ACK: \(Array(actions))")
            return
        }
        #expect(summary.blocks == Self.blockCount && summary.bytes == Self.size && summary.retransmits == 0)
        for index in [65535, 65536, 65537, Self.blockCount] {
            let packet = try transfer.dataPacket(transfer.block(index))
            let offset = (index - 1) * 512
            #expect(packet.prefix(4) == [0, 3, UInt8((index % 65536) >> 8), UInt8(index % 256)][...])
            #expect(packet.dropFirst(4).elementsEqual((offset..<min(offset + 512, Self.size)).map(PatternContents.byte(at:))), "block \(index)")
        }
    }

    /// With RFC 7440 windows of 4 and block 65536 (wire 0) lost once: the client ACKs
    /// 65535, the last it has in order, ignores the blocks after the gap, and the resend
    /// when the timer fires starts at wire 0.
    @Test func aBlockLostAtTheWrapIsResentByItsWireNumber() {
        var transfer = TFTPTransfer(
            contents: PatternContents(count: Self.size),
            parameters: TFTPTransferParameters(blockSize: 512, windowSize: 4, timeout: nil, acknowledgedOptions: []))
        func wireNumbers(_ actions: [TFTPTransfer.Action]) -> [UInt16] {
            actions.compactMap { if case .sendData(let block) = $0 { block.number } else { nil } }
        }
        var client = Client()
        var actions = Array(transfer.start(now: at(0)))
        var clock = 0.0
        var lost = false
        var resentAfterLoss: [UInt16]?
        while !transfer.hasEnded && clock < 1000 {
            if !lost, wireNumbers(actions).contains(0) {
                lost = true
                actions = actions.filter { if case .sendData(let block) = $0 { block.number != 0 } else { true } }
            }
            clock += 0.0001
            if let ack = client.take(actions, blockSize: 512) {
                actions = Array(transfer.received(.acknowledgement(block: ack), now: at(clock)))
            } else {
                clock += 1.5
                actions = Array(transfer.timerFired(now: at(clock)))
                if lost && resentAfterLoss == nil { resentAfterLoss = wireNumbers(actions) }
            }
        }
        #expect(lost && resentAfterLoss == [0, 1, 2, 3], "the resend starts at the lost block: \(resentAfterLoss ?? [])")
        #expect(client.finished && client.received == Self.size && client.blocks == Self.blockCount)
        guard case .finished(let summary)? = actions.last else {
            Issue.record("not finished: \(actions)")
            return
        }
        #expect(summary.blocks == Self.blockCount && summary.retransmits == 4)
    }
}
