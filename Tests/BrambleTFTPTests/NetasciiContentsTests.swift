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
        contents.withBytes(in: range) { Array($0) }
    }

    @Test func convertsLineEnds() {
        let contents = NetasciiContents(source: Array("a\nb\rc".utf8))
        #expect(contents.count == 7)
        #expect(Self.read(contents, 0..<7) == [0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x00, 0x63])
    }

    /// A block boundary can fall between the CR and LF of one line end.
    @Test func rangesSplitAnExpansion() {
        let contents = NetasciiContents(source: Array("ab\ncd".utf8))
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
            let contents = NetasciiContents(source: source)
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

    @Test func emptyRangeOfAnEmptyFile() {
        let contents = NetasciiContents(source: [UInt8]())
        #expect(contents.count == 0)
        #expect(Self.read(contents, 0..<0) == [])
    }
}
