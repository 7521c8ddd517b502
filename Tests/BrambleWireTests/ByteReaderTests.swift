import BrambleWire
import Testing

@Suite struct ByteReaderTests {
    @Test func readsBigEndianFieldsAndStopsAtTheEnd() throws {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07])
        #expect(try reader.readUInt8() == 0x01)
        #expect(try reader.readUInt16() == 0x0203)
        #expect(try reader.readUInt32() == 0x0405_0607)
        #expect(reader.isAtEnd)
        #expect(throws: WireTruncation(offset: 7, needed: 1, available: 7)) { try reader.readUInt8() }
    }

    @Test func offsetsCountFromTheSliceNotTheFrame() throws {
        let frame: [UInt8] = [0xff, 0xff, 0x00, 0x2a, 0x41, 0x00, 0x42]
        var reader = ByteReader(frame[2...])
        #expect(try reader.readUInt16() == 42)
        let name = reader.readUntil(0)
        #expect(name.map(Array.init) == [0x41])
        #expect(reader.offset == 4)
        let unterminated = reader.readUntil(0)
        #expect(unterminated == nil)
        #expect(reader.offset == 4)
        #expect(Array(try reader.readBytes(1)) == [0x42])
        #expect(throws: WireTruncation.self) { try reader.uint16(at: 4) }
    }

    @Test func hostileLengthsThrowInsteadOfTrapping() {
        var reader = ByteReader([0x00, 0x01])
        #expect(throws: WireTruncation.self) { try reader.readBytes(-1) }
        #expect(throws: WireTruncation.self) { try reader.readBytes(Int.max) }
        #expect(throws: WireTruncation.self) { try reader.skip(3) }
        #expect(throws: WireTruncation.self) { try reader.uint8(at: -1) }
        #expect(reader.offset == 0)
    }
}

@Suite struct ByteWriterTests {
    @Test func neverGrowsPastItsLimit() {
        var writer = ByteWriter(limit: 5)
        let results = [
            writer.append(UInt16(0x0102)), writer.append(UInt32(0x0304_0506)), writer.append(contentsOf: [7, 8, 9]),
            writer.append(UInt8(10)), writer.store(0xaabb, at: 0), writer.store(0xaabb, at: 4),
        ]
        #expect(results == [true, false, true, false, true, false])
        #expect(writer.finish() == [0xaa, 0xbb, 7, 8, 9])
    }
}

@Suite struct MonotonicInstantTests {
    @Test func arithmeticSaturatesInsteadOfWrapping() {
        let start = MonotonicInstant(nanoseconds: 1_000)
        #expect((start + .seconds(-5)) == start)
        #expect((MonotonicInstant(nanoseconds: .max - 1) + .seconds(1)).nanoseconds == .max)
        #expect((start + .milliseconds(2)).duration(since: start) == .milliseconds(2))
        #expect(start.duration(since: start + .seconds(1)) == .zero)
    }
}
