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
        let encoded = try TFTPPacket.error(.fileNotFound, message: "file not found: \(name)").encoded()
        #expect(encoded.count <= 4 + TFTPPacket.maximumErrorMessageLength + 1)
        guard case .error(_, let message) = try TFTPPacket(decoding: encoded) else {
            Issue.record("not an ERROR")
            return
        }
        #expect(message.hasPrefix("file not found: éé"))
        #expect(message.hasSuffix("é..."))
        #expect(try TFTPPacket.error(.notDefined, message: "a\0b").encoded() == [0, 5, 0, 0, 0x61, 0x62, 0])
    }

    /// Whatever option values a request carries, the OACK holds only the four known
    /// options with the server's own short numbers.
    @Test func theOACKIsBoundedWhateverTheRequest() throws {
        var options = TFTPOptions()
        for index in 0..<2000 { options.append("x\(index)", String(repeating: "9", count: 30)) }
        options.append("BLKSIZE", String(repeating: "9", count: 18))
        options.append("windowsize", "999999999999999999")
        options.append("tsize", "0")
        options.append("timeout", "255")
        let parameters = TFTPOptionNegotiation.negotiate(options, transferSize: 1 << 40, limits: TFTPServerLimits(interfaceMTU: 1500))
        let oack = try TFTPPacket.optionAcknowledgement(parameters.acknowledgedOptions).encoded()
        #expect(parameters.acknowledgedOptions.map(\.name) == ["blksize", "windowsize", "tsize"])
        #expect(oack.count < 64)
    }

    @Test func admissionKeepsSlotsForNodesWhateverTheSourceAddresses() {
        let admission = TFTPAdmission(total: 256, perClient: 8)
        func running(total: Int = 0, strangers: Int = 0, client: Int = 0, unacknowledged: Int = 0) -> TFTPAdmission.Running {
            TFTPAdmission.Running(total: total, strangers: strangers, fromClient: client, unacknowledgedFromClient: unacknowledged)
        }
        #expect(admission.refusal(running: running(), clientIsNode: false) == nil)
        #expect(admission.refusal(running: running(total: 256), clientIsNode: true) == .total(256))
        #expect(admission.refusal(running: running(total: 10, client: 8), clientIsNode: true) == .perClient(8))
        // A forged source never acknowledges: two such transfers per address at most.
        #expect(admission.refusal(running: running(total: 10, client: 2, unacknowledged: 2), clientIsNode: true) == .unacknowledged(2))
        #expect(admission.refusal(running: running(total: 10, client: 7, unacknowledged: 1), clientIsNode: true) == nil)
        // Strangers share half the slots; nodes still start transfers beyond that.
        #expect(admission.refusal(running: running(total: 128, strangers: 128), clientIsNode: false) == .strangers(128))
        #expect(admission.refusal(running: running(total: 128, strangers: 128), clientIsNode: true) == nil)
        #expect(TFTPAdmission(total: 1, perClient: 1).strangerShare == 1)
    }

    /// Worst case, simulated: an attacker forges requests from every address of a /24 as
    /// fast as it likes, none of them acknowledged; 48 nodes then still find slots.
    @Test func forgedSourcesCannotTakeTheNodesSlots() {
        let admission = TFTPAdmission(total: 256, perClient: 8)
        let nodes = Set(1...48)
        var fromAddress: [Int: Int] = [:]
        var total = 0, strangers = 0
        for _ in 0..<20 {
            for address in 1...254 {
                let running = TFTPAdmission.Running(
                    total: total, strangers: strangers, fromClient: fromAddress[address, default: 0],
                    unacknowledgedFromClient: fromAddress[address, default: 0])
                guard admission.refusal(running: running, clientIsNode: nodes.contains(address)) == nil else { continue }
                fromAddress[address, default: 0] += 1
                total += 1
                if !nodes.contains(address) { strangers += 1 }
            }
        }
        #expect(strangers == 128)
        #expect(total == 128 + 2 * 48)
        #expect(256 - total == 32, "slots left for the real nodes, each with 6 of its own")
    }

    @Test func aTransferIsAcknowledgedOnceTheClientAnswers() {
        var plain = transfer(size: 5000)
        _ = plain.start(now: at(0))
        #expect(!plain.isAcknowledged)
        _ = plain.received(.acknowledgement(block: 1), now: at(0.1))
        #expect(plain.isAcknowledged)
        var negotiated = transfer(size: 5000, options: [TFTPOption("tsize", "5000")])
        _ = negotiated.start(now: at(0))
        #expect(!negotiated.isAcknowledged)
        _ = negotiated.received(.acknowledgement(block: 0), now: at(0.1))
        #expect(negotiated.isAcknowledged)
    }
}
