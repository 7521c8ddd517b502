import BrambleTFTP
import PropertyBased
import Testing

@Suite struct TFTPTransferPropertyTests {
    /// Whatever a client sends (ACKs of any block, in any order, repeated, interleaved
    /// with timeouts), an ACK never makes the server send a block it has sent before:
    /// only the timer resends. This is the Sorcerer's Apprentice rule as a property.
    @Test func acksNeverResendABlock() async {
        let event = Gen.int(in: -1...12)
        await propertyCheck(count: 300, input: Gen.int(in: 1...4), event.array(of: 0...60)) { windowSize, events in
            var transfer = transfer(size: 80, blockSize: 8, windowSize: windowSize)
            var sent = Set(transfer.start(now: at(0)).sentBlocks)
            for (step, event) in events.enumerated() {
                let now = at(Double(step))
                if event < 0 {
                    sent.formUnion(transfer.timerFired(now: now).sentBlocks)
                } else {
                    let blocks = transfer.received(.acknowledgement(block: UInt16(event)), now: now).sentBlocks
                    #expect(sent.isDisjoint(with: blocks), "ACK \(event) resent \(blocks)")
                    sent.formUnion(blocks)
                }
            }
        }
    }

    /// The server's path for ACKs (``TFTPTransfer/receivedAcknowledgement(_:now:)``, fed by
    /// ``TFTPPacket/acknowledgedBlock(in:)``) does exactly what receiving the decoded ACK
    /// does, in every state: before and after the OACK, mid-window, at the end, after it.
    /// And ``TFTPTransfer/Actions/hasPacketOrEnding`` is false only when both are absent.
    @Test func theAcknowledgementPathMatchesReceivingTheDecodedPacket() async {
        let event = Gen.int(in: -2...14)
        await propertyCheck(count: 300, input: Gen.int(in: 1...4), Gen.bool, event.array(of: 0...60)) { windowSize, withOptions, events in
            let options: TFTPOptions = withOptions ? [TFTPOption("blksize", "8")] : []
            var decoded = transfer(size: 80, blockSize: 8, windowSize: windowSize, options: options)
            var direct = decoded
            #expect(decoded.start(now: at(0)) == direct.start(now: at(0)))
            for (step, event) in events.enumerated() {
                let now = at(Double(step))
                let expected: TFTPTransfer.Actions, actual: TFTPTransfer.Actions
                if event == -2 {
                    expected = decoded.received(.error(.notDefined, message: "stop"), now: now)
                    actual = direct.received(.error(.notDefined, message: "stop"), now: now)
                } else if event == -1 {
                    expected = decoded.timerFired(now: now)
                    actual = direct.timerFired(now: now)
                } else {
                    let wire: [UInt8] = [0, 4, 0, UInt8(event)]
                    expected = decoded.received(try! TFTPPacket(decoding: wire), now: now)
                    actual = direct.receivedAcknowledgement(TFTPPacket.acknowledgedBlock(in: wire[...])!, now: now)
                }
                #expect(expected == actual, "event \(event) at step \(step)")
                #expect(actual.hasPacketOrEnding == (actual.packet != nil || actual.ending != nil))
            }
        }
    }
}
