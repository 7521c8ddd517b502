import BrambleBMC
import PropertyBased
import Testing

@Suite struct BMCProtocolTests {
    /// The two status lines geekdojo's article shows, decoded field by field.
    @Test func theArticlesStatusLines() {
        #expect(BMCReply.parse(Array("   00 00 1 1d 74".utf8)) == .status(BMCStatus(id: BMCID(0), role: .master, power: .on, currentRaw: 0x1d, fanRaw: 0x74)))
        #expect(BMCReply.parse(Array("   09 ff 1 1b 6c".utf8)) == .status(BMCStatus(id: BMCID(9), role: .slave, power: .on, currentRaw: 0x1b, fanRaw: 0x6c)))
    }

    @Test func commandsAreTheCharactersTheArticleTypes() {
        #expect(BMCCommand.unlock.bytes == Array("UnLockMe".utf8))
        #expect(BMCCommand.select(BMCID(9)).bytes == Array("[09]|".utf8))
        #expect(BMCCommand.select(BMCID(10)).bytes == Array("[0a]|".utf8), "the ID is hexadecimal, as the status line prints it")
        #expect(BMCCommand.select(BMCID(0xff)).bytes == Array("[ff]|".utf8))
        #expect(BMCCommand.status.bytes == [UInt8(ascii: "=")])
        #expect(BMCCommand.powerOff.bytes == [UInt8(ascii: "\\")])
        #expect(BMCCommand.powerOn.bytes == [UInt8(ascii: "/")])
        #expect(BMCCommand.uid.bytes == [UInt8(ascii: "#")])
        #expect(BMCCommand.returnToMaster.bytes == [0x07])
        #expect(BMCCommand.returnToMaster.display == "Ctrl-G")
    }

    @Test func bmcIDs() {
        #expect(BMCID(hex: "09") == BMCID(9))
        #expect(BMCID(hex: "0A") == BMCID(10))
        #expect(BMCID(hex: "f") == BMCID(15))
        #expect(BMCID(hex: "") == nil)
        #expect(BMCID(hex: "100") == nil)
        #expect(BMCID(hex: "+f") == nil)
        #expect(BMCID(hex: "g1") == nil)
        #expect(BMCID(bay: 23)?.description == "17")
        #expect(BMCID(bay: 256) == nil)
        #expect(BMCID(bay: -1) == nil)
    }

    /// What the parser tolerates: spacing, an echoed `=` or prompt, upper-case digits.
    @Test(arguments: ["09 ff 1 1b 6c", "\t09\tff 1  1b 6c  ", "= 09 ff 1 1b 6c", "=09 ff 1 1b 6c", "> 09 ff 1 1b 6c", "09 FF 1 1B 6C", "9 ff 1 1b 6c"])
    func tolerated(line: String) {
        #expect(BMCReply.parse(Array(line.utf8)) == .status(BMCStatus(id: BMCID(9), role: .slave, power: .on, currentRaw: 0x1b, fanRaw: 0x6c)))
    }

    /// What it refuses rather than guesses: a wrong field count, an unknown role or power
    /// value, a reading that is no hex number, control bytes, an overlong line.
    @Test(arguments: ["", "UnLockMe", "09 ff 1 1b", "09 ff 1 1b 6c 00", "09 fe 1 1b 6c", "09 ff 2 1b 6c", "09 ff 1 1g 6c",
                      "09 ff 1 12345 6c", "100 ff 1 1b 6c", "09 ff 1 -1 6c", "09 ff 1 1b 6c\u{1b}", "ok"])
    func notUnderstood(line: String) {
        guard case .notUnderstood(let text) = BMCReply.parse(Array(line.utf8)) else {
            Issue.record("'\(line)' decoded as a status")
            return
        }
        #expect(text.length == line.utf8.count)
    }

    @Test func unparsedLinesArePrintableAndBounded() {
        let text = BMCUnparsedLine(bytes: [0x41, 0x00, 0x5c, 0xff, 0x42])
        #expect(text.text == "A\\x00\\\\\\xffB")
        #expect(text.description == "'A\\x00\\\\\\xffB'")
        let long = BMCUnparsedLine(bytes: Array(repeating: 0x7a, count: 300))
        #expect(long.text.count == BMCUnparsedLine.shownBytes)
        #expect(long.description.hasSuffix("...' (300 bytes)"))
    }

    @Test func linesEndAtCRLFOrEitherAndBlankOnesAreDropped() {
        var reader = BMCLineReader()
        #expect(reader.append(Array("   09 ff".utf8)) == [])
        #expect(reader.append(Array(" 1 1b 6c\r\n\r\n  \nnext\rlast".utf8)) == [Array("   09 ff 1 1b 6c".utf8), Array("next".utf8)])
        #expect(reader.remainder() == Array("last".utf8))
        #expect(reader.remainder() == nil)
    }

    @Test func aLineThatNeverEndsIsCut() {
        var reader = BMCLineReader()
        let lines = reader.append(Array(repeating: UInt8(ascii: "x"), count: 600))
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count == BMCLineReader.maximumLineLength })
        #expect(reader.remainder()?.count == 600 - 2 * BMCLineReader.maximumLineLength)
    }

    static let statuses = zip(Gen.uint8(), Gen.bool(), Gen.bool(), Gen.uint16(), Gen.uint16()).map { fields in
        BMCStatus(id: BMCID(fields.0), role: fields.1 ? .master : .slave, power: fields.2 ? .on : .off, currentRaw: fields.3, fanRaw: fields.4)
    }

    /// Every status the BMC can print reads back as itself, however it is split into reads.
    @Test func statusLinesRoundTrip() async {
        await propertyCheck(input: Self.statuses, Gen.int(in: 0...20)) { status, cut in
            #expect(BMCReply.parse(Array(status.line.utf8)) == .status(status))
            var reader = BMCLineReader()
            let bytes = Array((status.line + "\r\n").utf8)
            let split = min(cut, bytes.count)
            let lines = reader.append(bytes[..<split]) + reader.append(bytes[split...])
            #expect(lines.map { BMCReply.parse($0) } == [.status(status)])
        }
    }

    /// Any bytes: every line decodes to a value (no trap), a status re-renders to a line that
    /// parses to the same status, and no line is longer than the bound.
    @Test func anyBytesDecodeToAValue() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...400)) { bytes in
            var reader = BMCLineReader()
            var lines = reader.append(bytes)
            if let rest = reader.remainder() { lines.append(rest) }
            for line in lines {
                #expect(line.count <= BMCLineReader.maximumLineLength)
                switch BMCReply.parse(line) {
                case .status(let status): #expect(BMCReply.parse(Array(status.line.utf8)) == .status(status))
                case .notUnderstood(let text): #expect(text.text.unicodeScalars.allSatisfy { (0x20...0x7e).contains($0.value) })
                }
            }
        }
    }
}
