@testable import BrambleServer
import Testing

@Suite struct LengthPrefixedFramerTests {
    /// Two messages framed back to back, then the stream cut at every possible point: the
    /// same two messages come out whatever the reads look like.
    @Test func messagesSurviveAnySplitOfTheStream() {
        let first: [UInt8] = Array(0..<40)
        let second: [UInt8] = [0xab, 0xcd, 0xef]
        var stream: [UInt8] = []
        LengthPrefixedFramer.frame(first, into: &stream)
        LengthPrefixedFramer.frame(second, into: &stream)
        #expect(stream.count == 2 + 40 + 2 + 3 && stream[0] == 0 && stream[1] == 40)
        for cut in 0...stream.count {
            var framer = LengthPrefixedFramer()
            var messages: [[UInt8]] = []
            for part in [stream[0..<cut], stream[cut...]] {
                framer.append(part)
                while let message = framer.nextMessage() { messages.append(Array(message)) }
            }
            #expect(messages == [first, second], "cut at \(cut)")
            #expect(framer.bufferedCount == 0)
        }
    }

    @Test func aMessageByteByByteAndALongLength() {
        let message = [UInt8](repeating: 7, count: 300)
        var stream: [UInt8] = []
        LengthPrefixedFramer.frame(message, into: &stream)
        #expect(stream[0] == 1 && stream[1] == 44, "300 = 0x012c, big-endian")
        var framer = LengthPrefixedFramer()
        for (index, byte) in stream.enumerated() {
            framer.append([byte][...])
            let next = framer.nextMessage()
            #expect((next != nil) == (index == stream.count - 1))
            if let next { #expect(Array(next) == message) }
        }
    }
}
