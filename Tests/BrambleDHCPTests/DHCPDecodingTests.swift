import BrambleDHCP
import BrambleTestSupport
import BrambleWire
import Testing

/// Builds a request by hand so each test controls every byte it is about.
func rawMessage(
    operation: UInt8 = 1, hardwareAddressLength: UInt8 = 6,
    serverName: [UInt8] = [], bootFile: [UInt8] = [], cookie: [UInt8] = hex("63 82 53 63"), options: [UInt8]
) -> [UInt8] {
    var bytes: [UInt8] = [operation, 1, hardwareAddressLength, 0, 0xde, 0xad, 0xbe, 0xef]
    bytes += [UInt8](repeating: 0, count: 20)
    bytes += hex("b8 27 eb 01 02 03") + [UInt8](repeating: 0, count: 10)
    bytes += serverName + [UInt8](repeating: 0, count: 64 - serverName.count)
    bytes += bootFile + [UInt8](repeating: 0, count: 128 - bootFile.count)
    return bytes + cookie + options
}

@Suite struct DHCPDecodingTests {
    @Test func decodesAMinimalRequest() throws {
        let message = try DHCPMessage(decoding: rawMessage(options: hex("35 01 03 ff")))
        #expect(message.operation == .request)
        #expect(message.transactionID == 0xdead_beef)
        #expect(message.clientMAC == MACAddress(0xb8, 0x27, 0xeb, 0x01, 0x02, 0x03))
        #expect(message.clientHardwareAddress.count == 16)
        #expect(message.options.messageType == .request)
        #expect(message.options[53] == [3])
    }

    @Test(arguments: [0, 1, 100, 235, 236, 239])
    func truncatedBeforeTheOptions(length: Int) {
        let bytes = Array(rawMessage(options: hex("35 01 01 ff")).prefix(length))
        #expect(throws: DHCPDecodingError.truncated(length: length)) { try DHCPMessage(decoding: bytes) }
    }

    @Test(arguments: [UInt8(0), 3, 255])
    func unknownOperation(op: UInt8) {
        #expect(throws: DHCPDecodingError.unknownOperation(op)) {
            try DHCPMessage(decoding: rawMessage(operation: op, options: hex("35 01 01 ff")))
        }
    }

    @Test func repliesDecodeToo() throws {
        #expect(try DHCPMessage(decoding: rawMessage(operation: 2, options: hex("35 01 02 ff"))).operation == .reply)
    }

    @Test func hardwareAddressLongerThanChaddr() {
        #expect(throws: DHCPDecodingError.hardwareAddressTooLong(length: 17)) {
            try DHCPMessage(decoding: rawMessage(hardwareAddressLength: 17, options: hex("ff")))
        }
    }

    @Test func clientMACOnlyForEthernet() throws {
        let sixteen = try DHCPMessage(decoding: rawMessage(hardwareAddressLength: 16, options: hex("ff")))
        #expect(sixteen.clientMAC == nil)
    }

    @Test func plainBOOTPHasNoCookie() {
        #expect(throws: DHCPDecodingError.badMagicCookie(found: 0x6382_5364)) {
            try DHCPMessage(decoding: rawMessage(cookie: hex("63 82 53 64"), options: hex("ff")))
        }
    }

    @Test(arguments: [
        (hex("35 01 01 3c 05 50 58 45"), DHCPOptionCode.vendorClassIdentifier),
        (hex("35 01 01 0c"), DHCPOptionCode.hostName),
        (hex("35 02 01"), DHCPOptionCode.messageType),
    ])
    func optionRunningPastTheEnd(options: [UInt8], code: DHCPOptionCode) {
        #expect(throws: DHCPDecodingError.optionOverrun(code: code, area: .options)) {
            try DHCPMessage(decoding: rawMessage(options: options))
        }
    }

    @Test(arguments: [hex(""), hex("35 01 01"), hex("35 01 01 00 00 00")])
    func missingEndOption(options: [UInt8]) {
        #expect(throws: DHCPDecodingError.missingEndOption) { try DHCPMessage(decoding: rawMessage(options: options)) }
    }

    @Test func padsAreSkippedAndBytesAfterEndIgnored() throws {
        let message = try DHCPMessage(decoding: rawMessage(options: hex("00 00 35 01 01 00 ff 0c 50 ff ff")))
        #expect(message.options.map(\.code) == [.messageType])
    }

    @Test func namesStopAtTheirFirstNUL() throws {
        let message = try DHCPMessage(decoding: rawMessage(
            serverName: Array("hub".utf8) + [0] + Array("junk".utf8),
            bootFile: Array("bootcode.bin".utf8), options: hex("ff")))
        #expect(message.serverName == Array("hub".utf8))
        #expect(message.bootFileName == Array("bootcode.bin".utf8))
    }

    /// RFC 3396: a repeated code is one option whose value is the pieces in order.
    @Test func repeatedCodesConcatenate() throws {
        let message = try DHCPMessage(decoding: rawMessage(options: hex("3c 03 50 58 45 35 01 01 3c 06 43 6c 69 65 6e 74 ff")))
        #expect(message.options.map(\.code) == [.vendorClassIdentifier, .messageType])
        #expect(message.options.vendorClassIdentifier == "PXEClient")
    }

    /// Overload 3: options continue in file, then sname; the concatenation order is options,
    /// file, sname (RFC 3396 section 5), whatever the fields' order in the header.
    @Test func overloadIntoFileAndSname() throws {
        let message = try DHCPMessage(decoding: rawMessage(
            serverName: hex("0c 02 30 31 ff"),
            bootFile: hex("3c 03 50 58 45 0c 02 64 65 ff"),
            options: hex("35 01 01 34 01 03 0c 02 6e 6f ff")))
        #expect(message.options.map(\.code) == [.messageType, .hostName, .vendorClassIdentifier])
        #expect(message.options.hostName == "node01")
        #expect(message.options.vendorClassIdentifier == "PXE")
        #expect(message.serverName.isEmpty && message.bootFileName.isEmpty)
        #expect(!message.options.contains(.optionOverload))
    }

    @Test func overloadIntoSnameOnlyKeepsTheBootFileName() throws {
        let message = try DHCPMessage(decoding: rawMessage(
            serverName: hex("0c 03 6e 30 31"), bootFile: Array("bootcode.bin".utf8),
            options: hex("34 01 02 35 01 01 ff")))
        #expect(message.options.hostName == "n01")
        #expect(message.bootFileName == Array("bootcode.bin".utf8))
    }

    @Test func overloadedFieldMayRunToItsEndWithoutEndOption() throws {
        let filler = [UInt8](repeating: 0x41, count: 124)
        let message = try DHCPMessage(decoding: rawMessage(
            bootFile: hex("11 7e") + filler + hex("2f 2f"), options: hex("34 01 01 ff")))
        #expect(message.options[.rootPath]?.count == 126)
    }

    @Test func optionOverrunInsideAnOverloadedField() {
        #expect(throws: DHCPDecodingError.optionOverrun(code: .hostName, area: .sname)) {
            try DHCPMessage(decoding: rawMessage(serverName: hex("00 00 00 00") + [UInt8](repeating: 0, count: 58) + hex("0c 05"),
                                                 options: hex("34 01 02 ff")))
        }
    }

    @Test(arguments: [
        (hex("34 01 00"), [UInt8(0)]),
        (hex("34 01 04"), [4]),
        (hex("34 02 01 01"), [1, 1]),
        (hex("34 01 01 34 01 02"), [1, 2]),
        (hex("34 00"), []),
    ])
    func invalidOverloadValue(overload: [UInt8], value: [UInt8]) {
        #expect(throws: DHCPDecodingError.invalidOptionOverload(value: value)) {
            try DHCPMessage(decoding: rawMessage(options: overload + hex("ff")))
        }
    }

    @Test func errorsReadWell() {
        #expect(DHCPDecodingError.badMagicCookie(found: 0x6382_5364).description
            == "magic cookie 0x63825364 is not DHCP's 0x63825363")
        #expect(DHCPDecodingError.optionOverrun(code: .vendorClassIdentifier, area: .file).description
            == "option 60:vendor-class runs past the end of the file field (option overload)")
    }
}
