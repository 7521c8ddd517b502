import BrambleTFTP
import PropertyBased
import Testing

@Suite struct NetasciiContentsTests {
    /// The conversion spelled out the slow way, to compare against.
    static func converted(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in
            switch byte {
            case UInt8(ascii: "\n"): [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
            case UInt8(ascii: "\r"): [UInt8(ascii: "\r"), 0]
            default: [byte]
            }
        }
    }

    static func read(_ contents: some TFTPFileContents, _ range: Range<Int>) -> [UInt8] {
        (try? contents.bytes(in: range)) ?? []
    }

    @Test func convertsLineEnds() throws {
        let contents = try NetasciiContents(source: Array("a\nb\rc".utf8))
        #expect(contents.count == 7)
        #expect(Self.read(contents, 0..<7) == [0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x00, 0x63])
    }

    /// A block boundary can fall between the CR and LF of one line end.
    @Test func rangesSplitAnExpansion() throws {
        let contents = try NetasciiContents(source: Array("ab\ncd".utf8))
        #expect(Self.read(contents, 0..<3) == Array("ab\r".utf8))
        #expect(Self.read(contents, 3..<6) == Array("\ncd".utf8))
    }

    /// Any file, read in any block size from any starting block (retransmissions go back),
    /// gives the same bytes as converting the whole file. Line ends are frequent so the
    /// checkpoints land inside expansions too.
    @Test func anyRangeMatchesTheWholeConversion() async {
        let byte = Gen.element(of: [UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "x")]).compactMap { $0 }
        await propertyCheck(count: 60, input: byte.array(of: 0...9000), Gen.int(in: 1...1468), Gen.int(in: 0...40)) { source, blockSize, startBlock in
            let expected = Self.converted(source)
            guard let contents = try? NetasciiContents(source: source) else {
                Issue.record("an array source always reads")
                return
            }
            #expect(contents.count == expected.count)
            let start = min(startBlock * blockSize, expected.count)
            var offset = start
            while offset < expected.count {
                let end = min(offset + blockSize, expected.count)
                #expect(Self.read(contents, offset..<end) == Array(expected[offset..<end]))
                offset = end
            }
        }
    }

    @Test func emptyRangeOfAnEmptyFile() throws {
        let contents = try NetasciiContents(source: [UInt8]())
        #expect(contents.count == 0)
        #expect(Self.read(contents, 0..<0) == [])
    }

    /// A source that counts its reads and fails once it "shrinks", as a boot file
    /// truncated in place does.
    final class ShrinkingSource: TFTPFileContents, @unchecked Sendable {
        let bytes: [UInt8]
        var available: Int
        private(set) var largestRead = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            available = bytes.count
        }

        var count: Int { bytes.count }

        func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(TFTPReadError) {
            largestRead = max(largestRead, buffer.count)
            guard offset + buffer.count <= available else {
                throw .shortRead(offset: offset, expected: buffer.count, read: max(0, available - offset))
            }
            try bytes.read(into: buffer, at: offset)
        }
    }

    /// The conversion never asks its source for more than one bounded piece at a time,
    /// however large the file: counting reads ``NetasciiContents/readChunk`` at most, a
    /// block at most the checkpoint spacing plus the block.
    @Test func readsTheSourceInBoundedPieces() throws {
        let source = ShrinkingSource((0..<1_000_000).map { $0 % 7 == 0 ? UInt8(ascii: "\n") : UInt8(ascii: "a") })
        let contents = try NetasciiContents(source: source)
        #expect(source.largestRead == NetasciiContents.readChunk)
        let expected = Self.converted(source.bytes)
        #expect(contents.count == expected.count)
        let block = 512_000..<(512_000 + 1468)
        #expect(try contents.bytes(in: block) == Array(expected[block]))
        #expect(source.largestRead == NetasciiContents.readChunk, "a block reads at most the spacing plus the block")
    }

    /// A source that shrank since the count fails the read with a typed error, never a trap.
    @Test func aSourceThatShrankFailsTheRead() throws {
        let source = ShrinkingSource(Array(repeating: UInt8(ascii: "\n"), count: 10_000))
        let contents = try NetasciiContents(source: source)
        source.available = 3000
        #expect(try contents.bytes(in: 0..<512) == Array(repeating: 0, count: 256).flatMap { _ in [UInt8(ascii: "\r"), UInt8(ascii: "\n")] })
        #expect(throws: TFTPReadError.self) { try contents.bytes(in: 19_000..<20_000) }
        #expect(throws: TFTPReadError.self) { try contents.bytes(in: 19_999..<20_001) }
    }

    @Test func aSourceThatShrankBeforeTheCountIsRefused() {
        let source = ShrinkingSource(Array(repeating: UInt8(ascii: "x"), count: 100_000))
        source.available = 70_000
        #expect(throws: TFTPReadError.shortRead(offset: 65_536, expected: 100_000 - 65_536, read: 70_000 - 65_536)) {
            try NetasciiContents(source: source)
        }
    }
}
