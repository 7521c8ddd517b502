import BrambleDHCP
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct DHCPEncodingTests {
    static let hub = IPv4Address(10, 42, 0, 250)
    static let node = MACAddress(0xb8, 0x27, 0xeb, 0x01, 0x02, 0x03)

    private func offer(options extra: [DHCPOption], bootFileName: [UInt8] = [], serverName: [UInt8] = []) -> DHCPMessage {
        var options = DHCPOptions()
        options.messageType = .offer
        options.serverIdentifier = Self.hub
        for option in extra { options[option.code] = option.value }
        return DHCPMessage(
            operation: .reply, transactionID: 0x26f3_0339, clientMAC: Self.node,
            yourAddress: IPv4Address(10, 42, 0, 1), serverAddress: Self.hub,
            serverName: serverName, bootFileName: bootFileName, options: options)
    }

    /// Searches the encoded options field (after the cookie) for option 52.
    private func overloadValue(_ bytes: [UInt8]) -> UInt8? {
        var index = 240
        while index + 1 < bytes.count, bytes[index] != 0xff {
            if bytes[index] == 0 { index += 1; continue }
            if bytes[index] == 52 { return bytes[index + 2] }
            index += 2 + Int(bytes[index + 1])
        }
        return nil
    }

    @Test func fixedHeaderLayout() throws {
        var message = offer(options: [], bootFileName: Array("bootcode.bin".utf8), serverName: Array("hub".utf8))
        message.isBroadcast = true
        message.hops = 1
        let bytes = try message.encoded().bytes
        #expect(bytes.prefix(12) == hex("02 01 06 01 26 f3 03 39 00 00 80 00")[...])
        #expect(bytes[16..<24] == hex("0a 2a 00 01 0a 2a 00 fa")[...])
        #expect(bytes[28..<34] == Self.node.bytes[...])
        #expect(bytes[44..<48] == Array("hub\0".utf8)[...])
        #expect(bytes[108..<121] == Array("bootcode.bin\0".utf8)[...])
        #expect(bytes[236..<240] == hex("63 82 53 63")[...])
        #expect(bytes[240..<250] == hex("35 01 02 36 04 0a 2a 00 fa ff")[...])
    }

    @Test func padsToTheBOOTPMinimum() throws {
        let bytes = try offer(options: []).encoded().bytes
        #expect(bytes.count == 300)
        #expect(bytes[250...].allSatisfy { $0 == 0 })
    }

    /// RFC 3396: 600 bytes go out as 255 + 255 + 90 under one code, and decode as one.
    @Test func longValuesAreSplitAndRejoined() throws {
        let long = (0..<600).map { UInt8($0 % 251) }
        let message = offer(options: [DHCPOption(.rootPath, long)])
        let bytes = try message.encoded(maximumMessageSize: 1500).bytes
        #expect(bytes[249] == 17 && bytes[250] == 255)
        #expect(bytes[506] == 17 && bytes[507] == 255)
        #expect(bytes[763] == 17 && bytes[764] == 90)
        #expect(bytes[855] == 0xff && bytes.count == 856)
        let decoded = try DHCPMessage(decoding: bytes)
        #expect(decoded == message)
        #expect(decoded.options[.rootPath] == long)
    }

    @Test func emptyValueIsWrittenWithLengthZero() throws {
        let message = offer(options: [DHCPOption(.hostName, [])])
        let bytes = try message.encoded().bytes
        #expect(bytes[249..<252] == hex("0c 00 ff")[...])
        #expect(try DHCPMessage(decoding: bytes) == message)
    }

    /// 576-byte limit: 307 bytes for options in the options field. Two 200-byte options
    /// only fit by continuing in the free file field.
    @Test func overloadsIntoFileWhenFree() throws {
        let message = offer(options: [DHCPOption(.rootPath, Array(repeating: 0x61, count: 200)),
                                      DHCPOption(.domainName, Array(repeating: 0x62, count: 100))])
        let encoded = try message.encoded()
        #expect(encoded.bytes.count <= 548)
        #expect(encoded.droppedOptions.isEmpty)
        #expect(overloadValue(encoded.bytes) == 1)
        #expect(encoded.bytes[108] == 15 && encoded.bytes[109] == 100)
        #expect(try DHCPMessage(decoding: encoded.bytes) == message)
    }

    @Test func overloadsIntoBothFieldsInOrder() throws {
        let message = offer(options: [DHCPOption(.rootPath, Array(repeating: 0x61, count: 250)),
                                      DHCPOption(.domainName, Array(repeating: 0x62, count: 120)),
                                      DHCPOption(.hostName, Array(repeating: 0x63, count: 50))])
        let encoded = try message.encoded()
        #expect(overloadValue(encoded.bytes) == 3)
        #expect(encoded.bytes[44] == 12 && encoded.bytes[108] == 15)
        let decoded = try DHCPMessage(decoding: encoded.bytes)
        #expect(decoded == message)
        #expect(decoded.options.map(\.code) == message.options.map(\.code))
    }

    @Test func overloadsIntoSnameWhenTheBootFileIsSet() throws {
        let message = offer(options: [DHCPOption(.rootPath, Array(repeating: 0x61, count: 250)),
                                      DHCPOption(.hostName, Array(repeating: 0x63, count: 50))],
                            bootFileName: Array("bootcode.bin".utf8))
        let encoded = try message.encoded()
        #expect(overloadValue(encoded.bytes) == 2)
        #expect(try DHCPMessage(decoding: encoded.bytes) == message)
    }

    /// No free field: the last droppable options go, mandatory ones stay wherever they are.
    @Test func dropsTrailingOptionalOptionsWhenNothingElseHelps() throws {
        let message = offer(options: [DHCPOption(.rootPath, Array(repeating: 0x61, count: 250)),
                                      DHCPOption(.domainName, Array(repeating: 0x62, count: 40)),
                                      DHCPOption(.hostName, Array(repeating: 0x63, count: 40))],
                            bootFileName: Array("bootcode.bin".utf8), serverName: Array("hub".utf8))
        let encoded = try message.encoded()
        #expect(encoded.droppedOptions == [.hostName])
        let decoded = try DHCPMessage(decoding: encoded.bytes)
        #expect(decoded.options.map(\.code) == [.messageType, .serverIdentifier, .rootPath, .domainName])
        #expect(encoded.bytes.count <= 548)
    }

    @Test func mandatoryOptionsAreKeptEvenWhenLast() throws {
        let message = offer(options: [DHCPOption(.domainName, Array(repeating: 0x62, count: 200)),
                                      DHCPOption(.vendorSpecificInformation, Array(repeating: 0x63, count: 100))],
                            bootFileName: [0x61], serverName: [0x62])
        let encoded = try message.encoded(mandatoryOptions: [.messageType, .serverIdentifier, .vendorSpecificInformation])
        #expect(encoded.droppedOptions == [.domainName])
        #expect(try DHCPMessage(decoding: encoded.bytes).options[.vendorSpecificInformation]?.count == 100)
    }

    @Test func mandatoryOptionsThatCannotFitAreAnError() {
        let message = offer(options: [DHCPOption(.vendorSpecificInformation, Array(repeating: 0x63, count: 400))],
                            bootFileName: [0x61], serverName: [0x62])
        #expect(throws: DHCPEncodingError.optionsDoNotFit(maximumMessageSize: 576)) {
            try message.encoded(mandatoryOptions: [.messageType, .vendorSpecificInformation])
        }
    }

    @Test func largerClientLimitAvoidsOverload() throws {
        let message = offer(options: [DHCPOption(.rootPath, Array(repeating: 0x61, count: 400))])
        let encoded = try message.encoded(maximumMessageSize: 1500)
        #expect(overloadValue(encoded.bytes) == nil)
        #expect(try DHCPMessage(decoding: encoded.bytes) == message)
    }

    @Test(arguments: [0, 300, 575])
    func limitsBelow576AreRaisedTo576(limit: Int) throws {
        let message = offer(options: [DHCPOption(.rootPath, Array(repeating: 0x61, count: 255)),
                                      DHCPOption(.hostName, Array(repeating: 0x62, count: 39))])
        let encoded = try message.encoded(maximumMessageSize: limit)
        #expect(encoded.droppedOptions.isEmpty && overloadValue(encoded.bytes) == nil)
        #expect(encoded.bytes.count == 548)
    }

    @Test func oversizedFieldsAreErrors() {
        var message = offer(options: [])
        message.bootFileName = Array(repeating: 0x61, count: 129)
        #expect(throws: DHCPEncodingError.bootFileNameTooLong(length: 129)) { try message.encoded() }
        message.bootFileName = []
        message.serverName = Array(repeating: 0x61, count: 65)
        #expect(throws: DHCPEncodingError.serverNameTooLong(length: 65)) { try message.encoded() }
        message.serverName = []
        message.clientHardwareAddress = Array(repeating: 1, count: 17)
        #expect(throws: DHCPEncodingError.hardwareAddressTooLong(length: 17)) { try message.encoded() }
    }

    @Test func fullLengthNamesWithoutNULRoundTrip() throws {
        let message = offer(options: [], bootFileName: Array(repeating: 0x62, count: 128),
                            serverName: Array(repeating: 0x61, count: 64))
        #expect(try DHCPMessage(decoding: message.encoded().bytes) == message)
    }
}
