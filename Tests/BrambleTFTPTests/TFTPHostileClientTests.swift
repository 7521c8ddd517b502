import BrambleTFTP
import Testing

/// What a client (or a spoofed source) can make one transfer cost: time, slots, bytes.
@Suite struct TFTPHostileClientTests {
    /// A silent client holds a transfer for at most the stall limit, whatever the
    /// retransmission schedule: here a final wait longer than the limit is cut at 30 s.
    @Test func aTransferWithoutProgressEndsAtTheStallLimit() {
        var transfer = TFTPTransfer(
            contents: bytes(50_000), parameters: TFTPTransferParameters(timeout: .seconds(5)),
            policy: TFTPRetransmissionPolicy(finalWait: .seconds(60)))
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0.1))
        _ = transfer.received(.acknowledgement(block: 2), now: at(0.2))
        var now = at(0.2)
        var lastDeadline = now
        while let deadline = transfer.timerFired(now: now).deadline {
            lastDeadline = deadline
            now = deadline
        }
        #expect(lastDeadline == at(30.2), "no deadline past the stall limit")
        #expect(transfer.hasEnded)
    }

    @Test func theStallLimitEndsTheTransferAsAFailureThatSaysSo() {
        var transfer = TFTPTransfer(
            contents: bytes(50_000), parameters: .rfc1350,
            policy: TFTPRetransmissionPolicy(maximumRetransmissions: 1000, maximumTimeWithoutProgress: .seconds(10)))
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(1))
        _ = transfer.received(.acknowledgement(block: 2), now: at(2))
        for second in 3...11 {
            #expect(transfer.timerFired(now: at(Double(second))).sentBlocks == [3])
            // Duplicate ACKs are no progress.
            _ = transfer.received(.acknowledgement(block: 2), now: at(Double(second) + 0.5))
        }
        #expect(transfer.timerFired(now: at(12)) == [.failed(.noProgress(lastAcknowledgedBlock: 2, for: .seconds(10)))])
        #expect(transfer.hasEnded)
    }

    /// Progress resets the limit: a slow but moving client is never cut.
    @Test func progressResetsTheStallLimit() {
        var transfer = TFTPTransfer(
            contents: bytes(512 * 40), parameters: .rfc1350,
            policy: TFTPRetransmissionPolicy(maximumRetransmissions: 1000, maximumTimeWithoutProgress: .seconds(10)))
        _ = transfer.start(now: at(0))
        for block in 1...40 {
            let now = at(Double(block) * 9)
            _ = transfer.timerFired(now: now)
            #expect(!transfer.hasEnded, "block \(block)")
            _ = transfer.received(.acknowledgement(block: UInt16(block)), now: now)
        }
        #expect(!transfer.hasEnded)
    }

    /// The OACK stage is bounded the same way.
    @Test func anUnansweredOACKEndsWithinTheStallLimit() {
        var transfer = TFTPTransfer(
            contents: bytes(10), parameters: TFTPTransferParameters(timeout: .seconds(5), acknowledgedOptions: [TFTPOption("timeout", "5")]),
            policy: TFTPRetransmissionPolicy(maximumRetransmissions: 100))
        var now = at(0)
        var deadline = transfer.start(now: now).deadline
        while let next = deadline {
            now = next
            deadline = transfer.timerFired(now: now).deadline
        }
        #expect(now == at(30))
        #expect(transfer.hasEnded)
    }

    @Test func aFailedReadSendsAnErrorAndEndsTheTransfer() {
        var transfer = transfer(size: 5000)
        _ = transfer.start(now: at(0))
        let error = TFTPReadError.shortRead(offset: 512, expected: 512, read: 0)
        #expect(transfer.readFailed(error) == [
            .send(.error(.notDefined, message: TFTPTransfer.fileChangedMessage)), .failed(.unreadable(error)),
        ])
        #expect(transfer.hasEnded)
        #expect(transfer.readFailed(error) == [])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(1)) == [])
    }

    /// An ERROR quoting a 60 KB file name stays a short packet, cut at a character.
    @Test func errorMessagesAreBounded() throws {
        let name = String(repeating: "é", count: 30_000)
        let encoded = TFTPPacket.error(.fileNotFound, message: "file not found: \(name)").encoded()
        #expect(encoded.count <= 4 + TFTPPacket.maximumErrorMessageLength + 1)
        guard case .error(_, let message) = try TFTPPacket(decoding: encoded) else {
            Issue.record("not an ERROR")
            return
        }
        #expect(message.hasPrefix("file not found: éé"))
        #expect(message.hasSuffix("é..."))
        #expect(TFTPPacket.error(.notDefined, message: "a\0b").encoded() == [0, 5, 0, 0, 0x61, 0x62, 0])
    }

    /// Whatever option values a request carries, the OACK holds only the four known
    /// options with the server's own short numbers.
    @Test func theOACKIsBoundedWhateverTheRequest() {
        var options = TFTPOptions()
        for index in 0..<2000 { options.append("x\(index)", String(repeating: "9", count: 30)) }
        options.append("BLKSIZE", String(repeating: "9", count: 18))
        options.append("windowsize", "999999999999999999")
        options.append("tsize", "0")
        options.append("timeout", "255")
        let parameters = TFTPOptionNegotiation.negotiate(options, transferSize: 1 << 40, limits: TFTPServerLimits(interfaceMTU: 1500))
        let oack = TFTPPacket.optionAcknowledgement(parameters.acknowledgedOptions).encoded()
        #expect(parameters.acknowledgedOptions.map(\.name) == ["blksize", "windowsize", "tsize"])
        #expect(oack.count < 64)
    }
}
