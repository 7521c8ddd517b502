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
}
