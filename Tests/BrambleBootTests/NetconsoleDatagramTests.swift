import BrambleBoot
import Testing

/// The bootloader's netconsole datagrams into log lines: what a Pi 4 sends, and what a
/// hostile sender could put in its place.
@Suite struct NetconsoleDatagramTests {
    func lines(_ bytes: [UInt8]) throws -> [String] { try NetconsoleDatagram(decoding: bytes).lines }
    func lines(_ text: String) throws -> [String] { try lines(Array(text.utf8)) }
    func error(_ bytes: [UInt8]) -> NetconsoleDecodingError? {
        do throws(NetconsoleDecodingError) {
            _ = try NetconsoleDatagram(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Lines as a Pi 4's bootloader log shows them (a CM4's UART log in
    /// raspberrypi/cmprovision#43): seconds since reset, then the message.
    @Test func bootloaderLinesAreKeptTrimmed() throws {
        let datagram = "  2.52 Boot mode: NETWORK (02) order f5641\r\n  2.53 GENET: RESET_PHY 1\n\n  5.21 LINK STATUS: speed: 1000 full duplex\n"
        #expect(try lines(datagram) == ["2.52 Boot mode: NETWORK (02) order f5641", "2.53 GENET: RESET_PHY 1", "5.21 LINK STATUS: speed: 1000 full duplex"])
        #expect(try lines("  7.84 TFTP: complete 1234") == ["7.84 TFTP: complete 1234"], "a last line without a newline")
        #expect(try lines("a\rb\r\rc") == ["a", "b", "c"], "a lone CR ends a line too")
        #expect(try lines("op:\t53\tlen: 1") == ["op: 53 len: 1"])
    }

    /// Nothing a sender puts in a line can end it, start another or reach a terminal: ESC
    /// sequences and control characters are removed, what is not UTF-8 too.
    @Test func controlCharactersAndEscapeSequencesAreRemoved() throws {
        #expect(try lines("\u{1b}[31mred\u{1b}[0m text\u{07}") == ["red text"])
        #expect(try lines("\u{1b}]0;title\u{07}x") == ["0;titlex"], "ESC and the character after it, as in a two-character sequence")
        #expect(try lines(Array("line:".utf8) + [0x41, 0x00, 0x42, 0x7f, 0x43, 0xc2, 0x85, 0x44]) == ["line:ABCD"], "NUL, DEL and C1 NEL")
        #expect(try lines([0x61, 0xff, 0x62, 0x0a, 0x63]) == ["ab", "c"])
        let bidi = try lines("file \u{202e}txt.exe")
        #expect(bidi == ["file \u{202e}txt.exe"], "kept for the log line, which escapes it")
        let line = BootLogLine.format(time: 0, bootStarted: nil, node: "node05", stage: .firmware, failure: false, text: BootEvent.Kind.bootloaderLog(line: bidi[0]).description)
        #expect(line.hasSuffix("node05 firmware    bootloader: file \\u{202e}txt.exe"))
    }

    @Test func whatIsNoLogTextIsATypedError() {
        #expect(error([]) == .empty)
        #expect(error(Array(" \r\n\t ".utf8)) == .blank)
        #expect(error([0x1b, 0x5b, 0x32, 0x4a]) == .blank)
        #expect(error(Array(repeating: 0x41, count: NetconsoleDatagram.maximumLength + 1)) == .tooLong(length: NetconsoleDatagram.maximumLength + 1))
        #expect(error(Array(repeating: 0x41, count: NetconsoleDatagram.maximumLength)) == nil, "the longest datagram is fine")
        #expect(error(Array(String(repeating: "x\n", count: NetconsoleDatagram.maximumLines + 1).utf8)) == .tooManyLines(maximum: NetconsoleDatagram.maximumLines))
        #expect(error(Array(String(repeating: "x\n", count: NetconsoleDatagram.maximumLines).utf8)) == nil)
        let binary: [UInt8] = [0x00, 0x01, 0x02, 0x41, 0xfe, 0xff, 0x10, 0x42]
        #expect(error(binary) == .notText(unreadableCharacters: 6, length: 8))
    }

    /// Every byte string decodes to lines or a typed error, and no line holds a control
    /// character or breaks the length bound.
    @Test func anyBytesDecodeTotally() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let length = Int.random(in: 0...1600, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? UInt8.random(in: 0x20...0x7e, using: &generator) : UInt8.random(in: 0...255, using: &generator)
            }
            if let decoded = try? NetconsoleDatagram(decoding: bytes) {
                #expect(!decoded.lines.isEmpty && decoded.lines.count <= NetconsoleDatagram.maximumLines)
                #expect(decoded.lines.allSatisfy { line in
                    !line.isEmpty && line.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) }
                })
            } else {
                // The refusal names what is wrong with these bytes, and only that.
                switch error(bytes) {
                case .empty?: #expect(bytes.isEmpty)
                case .tooLong(let length)?: #expect(length == bytes.count && length > NetconsoleDatagram.maximumLength)
                case .notText(let unreadable, let length)?: #expect(length == bytes.count && unreadable * 4 > length)
                case .tooManyLines?, .blank?: #expect(!bytes.isEmpty && bytes.count <= NetconsoleDatagram.maximumLength)
                case nil: Issue.record("refused by try? but decoded by the typed call: \(bytes)")
                }
            }
        }
    }
}
