@testable import BrambleServer
import Testing

@Suite struct LengthPrefixedFramerTests {
    /// Two messages framed back to back, then the stream cut at every possible point: the
    /// same two messages come out whatever the reads look like.
    @Test func messagesSurviveAnySplitOfTheStream() throws {
        let first: [UInt8] = Array(0..<40)
        let second: [UInt8] = [0xab, 0xcd, 0xef]
        var stream: [UInt8] = []
        try LengthPrefixedFramer.frame(first, into: &stream)
        try LengthPrefixedFramer.frame(second, into: &stream)
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

    @Test func aMessageByteByByteAndALongLength() throws {
        let message = [UInt8](repeating: 7, count: 300)
        var stream: [UInt8] = []
        try LengthPrefixedFramer.frame(message, into: &stream)
        #expect(stream[0] == 1 && stream[1] == 44, "300 = 0x012c, big-endian")
        var framer = LengthPrefixedFramer()
        for (index, byte) in stream.enumerated() {
            framer.append([byte][...])
            let next = framer.nextMessage()
            #expect((next != nil) == (index == stream.count - 1))
            if let next { #expect(Array(next) == message) }
        }
    }

    /// One byte over what the prefix can say: a typed error and nothing queued, where the
    /// framer used to trap and take the whole daemon down with it.
    @Test func aMessageOver65535BytesIsAnErrorNotATrap() throws {
        var output: [UInt8] = [1, 2, 3]
        #expect(throws: LengthPrefixedFramer.FramingError.messageTooLong(length: 65_536)) {
            try LengthPrefixedFramer.frame([UInt8](repeating: 0, count: 65_536), into: &output)
        }
        #expect(output == [1, 2, 3])
        try LengthPrefixedFramer.frame([UInt8](repeating: 9, count: 65_535), into: &output)
        #expect(output.count == 3 + 2 + 65_535 && output[3] == 0xff && output[4] == 0xff)
    }
}
