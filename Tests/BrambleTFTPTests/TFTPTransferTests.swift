import BrambleTFTP
import Testing

/// Compares actions with the list a test expects, in order.
func == (actions: TFTPTransfer.Actions, expected: [TFTPTransfer.Action]) -> Bool {
    Array(actions) == expected
}

/// Reads the actions back as what a client would see.
extension TFTPTransfer.Actions {
    /// Wire numbers of the DATA blocks sent, in order.
    var sentBlocks: [UInt16] {
        compactMap { if case .sendData(let block) = $0 { block.number } else { nil } }
    }
}

func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0) } }

func transfer(size: Int, blockSize: Int = 512, windowSize: Int = 1, options: TFTPOptions = [], timeout: Duration? = nil) -> TFTPTransfer {
    TFTPTransfer(
        contents: bytes(size),
        parameters: TFTPTransferParameters(blockSize: blockSize, windowSize: windowSize, timeout: timeout, acknowledgedOptions: options))
}

@Suite struct TFTPTransferTests {
    @Test func cleanLockstepTransfer() {
        var transfer = transfer(size: 1300)
        #expect(transfer.start(now: at(0)) == [
            .sendData(TFTPDataBlock(number: 1, range: 0..<512)), .armTimer(deadline: at(1)),
        ])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.01)) == [
            .sendData(TFTPDataBlock(number: 2, range: 512..<1024)), .armTimer(deadline: at(1.01)),
        ])
        #expect(transfer.received(.acknowledgement(block: 2), now: at(0.02)) == [
            .sendData(TFTPDataBlock(number: 3, range: 1024..<1300)), .armTimer(deadline: at(1.02)),
        ])
        #expect(transfer.received(.acknowledgement(block: 3), now: at(0.03)) == [
            .finished(TFTPTransferSummary(bytes: 1300, blocks: 3, duration: .milliseconds(30), retransmits: 0, blockSize: 512, windowSize: 1)),
        ])
        #expect(transfer.hasEnded)
        #expect(transfer.received(.acknowledgement(block: 3), now: at(0.04)) == [])
        #expect(transfer.timerFired(now: at(2)) == [])
    }

    @Test func dataPacketsCarryTheirRange() throws {
        let transfer = transfer(size: 1300)
        #expect(try transfer.dataPacket(transfer.block(3)) == [0, 3, 0, 3] + bytes(1300)[1024..<1300])
    }

    @Test func withAnOACKDataWaitsForAcknowledgementZero() {
        let oack: TFTPOptions = [TFTPOption("tsize", "1300"), TFTPOption("blksize", "1024")]
        var transfer = transfer(size: 1300, blockSize: 1024, options: oack)
        #expect(transfer.start(now: at(0)) == [.send(.optionAcknowledgement(oack)), .armTimer(deadline: at(2))])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.1)) == [])
        #expect(transfer.received(.acknowledgement(block: 0), now: at(0.2)).sentBlocks == [1])
        #expect(transfer.received(.acknowledgement(block: 0), now: at(0.3)) == [])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.4)).sentBlocks == [2])
    }

    /// The first resend waits two seconds (a second OACK makes atftp abort), the later ones one.
    @Test func lostOACKIsResentByTheTimer() {
        var transfer = transfer(size: 10, options: [TFTPOption("tsize", "10")])
        _ = transfer.start(now: at(0))
        #expect(transfer.timerFired(now: at(1)) == [.armTimer(deadline: at(2))])
        #expect(transfer.timerFired(now: at(2)) == [
            .send(.optionAcknowledgement([TFTPOption("tsize", "10")])), .armTimer(deadline: at(3)),
        ])
    }

    /// A client that negotiated `timeout` gets its own timer for the OACK too.
    @Test func anOACKWithANegotiatedTimeoutIsResentOnTheClientsTimer() {
        var transfer = transfer(size: 10, options: [TFTPOption("tsize", "10"), TFTPOption("timeout", "1")], timeout: .seconds(1))
        #expect(transfer.start(now: at(0)).deadline == at(1))
    }

    @Test func lostDataIsResentWhenTheTimerFires() {
        var transfer = transfer(size: 1300)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0.1))
        // DATA 2 lost: nothing comes back until the timer.
        #expect(transfer.timerFired(now: at(1.1)) == [
            .sendData(TFTPDataBlock(number: 2, range: 512..<1024)), .armTimer(deadline: at(2.1)),
        ])
        _ = transfer.received(.acknowledgement(block: 2), now: at(1.2))
        let end = transfer.received(.acknowledgement(block: 3), now: at(1.3))
        #expect(end == [.finished(TFTPTransferSummary(bytes: 1300, blocks: 3, duration: .milliseconds(1300), retransmits: 1, blockSize: 512, windowSize: 1))])
    }

    /// A timer the server did not cancel, firing before the current deadline, only re-arms.
    @Test func earlyTimerOnlyReArms() {
        var transfer = transfer(size: 1300)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0.5))
        #expect(transfer.timerFired(now: at(1)) == [.armTimer(deadline: at(1.5))])
    }

    @Test func lostAckThenTheResendIsAcknowledged() {
        var transfer = transfer(size: 600)
        _ = transfer.start(now: at(0))
        // The client got DATA 1 but its ACK was lost: the server resends, the client acks again.
        #expect(transfer.timerFired(now: at(1)).sentBlocks == [1])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(1.01)).sentBlocks == [2])
    }

    /// The Sorcerer's Apprentice: a delayed ACK arriving after the retransmission it
    /// provoked must not send the next block a second time.
    @Test func duplicateAckSendsNothing() {
        var transfer = transfer(size: 2000)
        _ = transfer.start(now: at(0))
        #expect(transfer.timerFired(now: at(1)).sentBlocks == [1])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(1.1)).sentBlocks == [2])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(1.2)) == [])
        #expect(transfer.received(.acknowledgement(block: 2), now: at(1.3)).sentBlocks == [3])
        #expect(transfer.received(.acknowledgement(block: 2), now: at(1.4)) == [])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(1.5)) == [])
    }

    /// Duplicates do not hold off the timer either: it still resends when the client
    /// keeps repeating an old ACK.
    @Test func duplicateAcksDoNotPostponeTheRetransmission() {
        var transfer = transfer(size: 2000)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0.1))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0.9))
        #expect(transfer.timerFired(now: at(1.1)).sentBlocks == [2])
    }

    @Test func reorderedAcksInAWindowMoveItOnlyForward() {
        var transfer = transfer(size: 100, blockSize: 8, windowSize: 4)
        #expect(transfer.start(now: at(0)).sentBlocks == [1, 2, 3, 4])
        #expect(transfer.received(.acknowledgement(block: 4), now: at(0.1)).sentBlocks == [5, 6, 7, 8])
        #expect(transfer.received(.acknowledgement(block: 2), now: at(0.2)) == [])
        #expect(transfer.received(.acknowledgement(block: 3), now: at(0.2)) == [])
        #expect(transfer.received(.acknowledgement(block: 6), now: at(0.3)).sentBlocks == [9, 10])
        #expect(transfer.received(.acknowledgement(block: 5), now: at(0.4)) == [])
    }

    /// The fields the server reads, without going through the collection: the window as
    /// one range of block indices, each block's wire number and bytes, the new deadline.
    @Test func actionsDescribeAWindowAsOneRangeOfBlocks() {
        var transfer = transfer(size: 100, blockSize: 8, windowSize: 4)
        _ = transfer.start(now: at(0))
        let actions = transfer.received(.acknowledgement(block: 2), now: at(0.5))
        #expect(actions.packet == nil)
        #expect(actions.blocks == 5..<7)
        #expect(actions.block(6) == TFTPDataBlock(number: 6, range: 40..<48))
        #expect(actions.deadline == at(1.5))
        #expect(actions.ending == nil)
        #expect(Array(actions) == [
            .sendData(TFTPDataBlock(number: 5, range: 32..<40)), .sendData(TFTPDataBlock(number: 6, range: 40..<48)),
            .armTimer(deadline: at(1.5)),
        ])
        let refused = transfer.received(.data(block: 1, payload: []), now: at(0.6))
        #expect(refused.blocks.isEmpty && refused.deadline == nil)
        #expect(Array(refused) == [.send(.error(.illegalOperation, message: "DATA is not part of a read transfer")), .failed(.illegalPacket(.data))])
    }

    @Test func ackForABlockNeverSentIsIgnored() {
        var transfer = transfer(size: 2000)
        _ = transfer.start(now: at(0))
        #expect(transfer.received(.acknowledgement(block: 3), now: at(0.1)) == [])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.2)).sentBlocks == [2])
    }

    /// RFC 7440 with loss: block 2 of the window is lost, the client acknowledges 1. The
    /// window slides (block 5 goes out); the gap is refilled when the timer fires.
    @Test func windowOfFourWithALostBlock() {
        var transfer = transfer(size: 75, blockSize: 8, windowSize: 4)
        #expect(transfer.blockCount == 10)
        #expect(transfer.start(now: at(0)).sentBlocks == [1, 2, 3, 4])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.1)).sentBlocks == [5])
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.2)) == [])
        let resent = transfer.timerFired(now: at(1.1))
        #expect(resent.sentBlocks == [2, 3, 4, 5])
        #expect(resent.deadline == at(2.1))
        #expect(transfer.received(.acknowledgement(block: 5), now: at(1.2)).sentBlocks == [6, 7, 8, 9])
        #expect(transfer.received(.acknowledgement(block: 9), now: at(1.3)) == [
            .sendData(TFTPDataBlock(number: 10, range: 72..<75)), .armTimer(deadline: at(2.3)),
        ])
        guard case .finished(let summary) = transfer.received(.acknowledgement(block: 10), now: at(1.4)).last else {
            Issue.record("transfer did not finish")
            return
        }
        #expect(summary.retransmits == 4)
        #expect(summary.windowSize == 4)
    }

    @Test func exactMultipleEndsWithAnEmptyBlock() throws {
        var transfer = transfer(size: 1024)
        #expect(transfer.blockCount == 3)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0.1))
        let last = transfer.received(.acknowledgement(block: 2), now: at(0.2))
        #expect(last.first == .sendData(TFTPDataBlock(number: 3, range: 1024..<1024)))
        #expect(try transfer.dataPacket(transfer.block(3)) == [0, 3, 0, 3])
        #expect(transfer.received(.acknowledgement(block: 3), now: at(0.3)).count == 1)
        #expect(transfer.hasEnded)
    }

    @Test func emptyFileIsOneEmptyBlock() {
        var transfer = transfer(size: 0)
        #expect(transfer.start(now: at(0)).first == .sendData(TFTPDataBlock(number: 1, range: 0..<0)))
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0.1)).count == 1)
        #expect(transfer.hasEnded)
    }

    /// 65537 blocks of 8 bytes: block 65536 goes out as 0, the last as 1. Nothing is
    /// copied, so this runs in a moment.
    @Test func blockNumbersWrapPast65535() {
        let size = 65536 * 8 + 3
        var transfer = transfer(size: size, blockSize: 8)
        #expect(transfer.blockCount == 65537)
        var actions = transfer.start(now: at(0))
        var sent: [TFTPDataBlock] = []
        while case .sendData(let block) = actions.first {
            sent.append(block)
            actions = transfer.received(.acknowledgement(block: block.number), now: at(1))
        }
        #expect(sent.count == 65537)
        #expect(sent[65534] == TFTPDataBlock(number: 65535, range: (65534 * 8)..<(65535 * 8)))
        #expect(sent[65535] == TFTPDataBlock(number: 0, range: (65535 * 8)..<(65536 * 8)))
        #expect(sent[65536] == TFTPDataBlock(number: 1, range: (65536 * 8)..<size))
        guard case .finished(let summary) = actions.first else {
            Issue.record("transfer did not finish: \(actions)")
            return
        }
        #expect(summary.bytes == size && summary.blocks == 65537 && summary.retransmits == 0)
    }

    /// Around the wrap, an ACK of 65535 after 0 is old, and an ACK of 0 is not confused
    /// with the OACK's.
    @Test func duplicateAcksAcrossTheWrapAreIgnored() {
        var transfer = transfer(size: 65540 * 8, blockSize: 8, windowSize: 2)
        var actions = transfer.start(now: at(0))
        while let last = actions.sentBlocks.last, last != 0 {
            actions = transfer.received(.acknowledgement(block: last), now: at(0))
        }
        #expect(transfer.received(.acknowledgement(block: 0), now: at(0)).sentBlocks == [1, 2])
        #expect(transfer.received(.acknowledgement(block: 65535), now: at(0)) == [])
        #expect(transfer.received(.acknowledgement(block: 0), now: at(0)) == [])
        #expect(transfer.received(.acknowledgement(block: 2), now: at(0)).sentBlocks == [3, 4])
    }

    /// The Pi's probe: it reads the OACK's tsize and answers ERROR 0 "Early terminate".
    @Test func probeEndedWithEarlyTerminateAfterTheOACK() {
        var transfer = transfer(size: 2_981_000, blockSize: 1024, options: [TFTPOption("tsize", "2981000")])
        _ = transfer.start(now: at(0))
        #expect(transfer.received(.error(.notDefined, message: "Early terminate"), now: at(0.01)) == [
            .probeEnded(.endedEarly(message: "Early terminate")),
        ])
        #expect(transfer.hasEnded)
        #expect(transfer.timerFired(now: at(1)) == [])
    }

    /// The ROM's probe: it reads block 1 and never answers. After the bounded retries the
    /// transfer is dropped as a probe, not a failure.
    @Test func probeThatGoesSilentAfterTheFirstBlock() {
        var transfer = transfer(size: 50_000)
        #expect(transfer.start(now: at(0)).sentBlocks == [1])
        for attempt in 1...5 {
            #expect(transfer.timerFired(now: at(Double(attempt))).sentBlocks == [1])
        }
        #expect(transfer.timerFired(now: at(6)) == [.probeEnded(.wentSilent(acknowledgedBlocks: 0))])
        #expect(transfer.hasEnded)
    }

    @Test func silenceAfterTheOACKIsAProbeToo() {
        var transfer = transfer(size: 10, options: [TFTPOption("tsize", "10")])
        _ = transfer.start(now: at(0))
        for attempt in 2...6 { _ = transfer.timerFired(now: at(Double(attempt))) }
        #expect(transfer.timerFired(now: at(7)) == [.probeEnded(.wentSilent(acknowledgedBlocks: 0))])
    }

    @Test func silenceMidTransferIsAFailure() {
        var transfer = transfer(size: 50_000)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0))
        _ = transfer.received(.acknowledgement(block: 2), now: at(0))
        for attempt in 1...5 {
            #expect(transfer.timerFired(now: at(Double(attempt))).sentBlocks == [3])
        }
        // After the last resend the transfer waits the policy's final wait (12 s), not 1 s.
        #expect(transfer.timerFired(now: at(6)) == [.armTimer(deadline: at(17))])
        #expect(transfer.timerFired(now: at(17)) == [.failed(.timedOut(lastAcknowledgedBlock: 2))])
    }

    /// atftp under loss: its ACK 3 and the one extra ACK it sends for the first duplicate
    /// DATA 3 are both lost; it ignores the later duplicates and restarts its 5 s timer on
    /// each, so it re-sends ACK 3 only 5 s after the server's last resend. The transfer must
    /// still be alive then, and carry on with block 4.
    @Test func clientThatReACKsOnlyAfterTheServerGoesQuiet() {
        var transfer = transfer(size: 50_000)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0))
        #expect(transfer.received(.acknowledgement(block: 2), now: at(0)).sentBlocks == [3])
        for attempt in 1...5 {
            #expect(transfer.timerFired(now: at(Double(attempt))).sentBlocks == [3])
        }
        let quiet = transfer.timerFired(now: at(6))
        #expect(quiet.sentBlocks.isEmpty)
        #expect(!quiet.contains { if case .failed = $0 { true } else { false } })
        #expect(!transfer.hasEnded)
        let resumed = transfer.received(.acknowledgement(block: 3), now: at(10))
        #expect(resumed == [.sendData(transfer.block(4)), .armTimer(deadline: at(11))])
    }

    /// Progress resets the retry count: five losses, an ACK, five more losses still finish.
    @Test func retriesCountOnlyTimeoutsInARow() {
        var transfer = transfer(size: 600)
        _ = transfer.start(now: at(0))
        for attempt in 1...5 { _ = transfer.timerFired(now: at(Double(attempt))) }
        _ = transfer.received(.acknowledgement(block: 1), now: at(5.5))
        for attempt in 1...5 { #expect(transfer.timerFired(now: at(5.5 + Double(attempt))).sentBlocks == [2]) }
        guard case .finished(let summary) = transfer.received(.acknowledgement(block: 2), now: at(11)).first else {
            Issue.record("transfer did not finish")
            return
        }
        #expect(summary.retransmits == 10)
    }

    @Test func negotiatedTimeoutSetsTheDeadlines() {
        var transfer = transfer(size: 10, timeout: .seconds(3))
        #expect(transfer.start(now: at(0)).deadline == at(3))
        #expect(transfer.timerFired(now: at(3)).deadline == at(6))
    }

    @Test func customPolicyBoundsTheRetries() {
        var transfer = TFTPTransfer(
            contents: bytes(10), parameters: .rfc1350,
            policy: TFTPRetransmissionPolicy(defaultTimeout: .milliseconds(2500), maximumRetransmissions: 1))
        #expect(transfer.start(now: at(0)).deadline == at(2.5))
        #expect(transfer.timerFired(now: at(2.5)).sentBlocks == [1])
        #expect(transfer.timerFired(now: at(5)) == [.probeEnded(.wentSilent(acknowledgedBlocks: 0))])
    }

    @Test func clientErrorMidTransferIsAFailure() {
        var transfer = transfer(size: 50_000)
        _ = transfer.start(now: at(0))
        _ = transfer.received(.acknowledgement(block: 1), now: at(0))
        _ = transfer.received(.acknowledgement(block: 2), now: at(0))
        #expect(transfer.received(.error(.notDefined, message: "cancelled"), now: at(0)) == [
            .failed(.clientError(.notDefined, message: "cancelled")),
        ])
    }

    @Test func refusedOACKIsAFailure() {
        var transfer = transfer(size: 10, options: [TFTPOption("blksize", "1468")])
        _ = transfer.start(now: at(0))
        #expect(transfer.received(.error(.optionNegotiationFailed, message: "no"), now: at(0)) == [
            .failed(.clientError(.optionNegotiationFailed, message: "no")),
        ])
    }

    @Test func dataFromTheClientIsAnIllegalOperation() {
        var transfer = transfer(size: 10)
        _ = transfer.start(now: at(0))
        let actions = transfer.received(.data(block: 1, payload: [1]), now: at(0))
        #expect(actions.count == 2)
        #expect(actions.first.map { if case .send(.error(.illegalOperation, _)) = $0 { true } else { false } } == true)
        #expect(actions.last == .failed(.illegalPacket(.data)))
    }

    @Test func inputsBeforeStartDoNothing() {
        var transfer = transfer(size: 10)
        #expect(transfer.received(.acknowledgement(block: 1), now: at(0)) == [])
        #expect(transfer.timerFired(now: at(5)) == [])
        #expect(transfer.start(now: at(0)).sentBlocks == [1])
        #expect(transfer.start(now: at(0)) == [])
    }

    @Test func endingActionsBecomeEvents() {
        let summary = TFTPTransferSummary(bytes: 1, blocks: 1, duration: .zero, retransmits: 0, blockSize: 512, windowSize: 1)
        #expect(TFTPEvent(ending: .finished(summary)) == .finished(summary))
        #expect(TFTPEvent(ending: .probeEnded(.wentSilent(acknowledgedBlocks: 0))) == .probeEnded(.wentSilent(acknowledgedBlocks: 0)))
        #expect(TFTPEvent(ending: .failed(.timedOut(lastAcknowledgedBlock: 3))) == .failed(.timedOut(lastAcknowledgedBlock: 3)))
        #expect(TFTPEvent(ending: .armTimer(deadline: at(0))) == nil)
    }
}
