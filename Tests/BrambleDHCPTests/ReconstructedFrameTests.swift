import BrambleDHCP
import BrambleWire
import Testing

/// The reconstructed DISCOVER frames decode through every layer to what docs/raspberry-pi-netboot.md and
/// the field logs say each client sends.
@Suite struct ReconstructedFrameTests {
    static let piROMParameterRequestList: [DHCPOptionCode] = [43, 60, 67, 128, 129, 130, 131, 132, 133, 134, 135, 66]
    static let piVendorClass = "PXEClient:Arch:00000:UNDI:002001"

    private func decode(_ bytes: [UInt8]) throws -> (frame: EthernetUDPFrame, message: DHCPMessage) {
        let frame = try EthernetUDPFrame(decoding: bytes)
        return (frame, try DHCPMessage(decoding: frame.payload))
    }

    @Test func pi3BROMDiscover() throws {
        let (frame, message) = try decode(ReconstructedFrames.pi3BROMDiscover)
        let mac = try MACAddress(parsing: "b8:27:eb:9d:c1:5a")
        #expect(frame.sourceMAC == mac && frame.destinationMAC == .broadcast)
        #expect(frame.sourceAddress == .any && frame.destinationAddress == .broadcast)
        #expect(frame.sourcePort == 68 && frame.destinationPort == 67)
        #expect(frame.timeToLive == 128 && frame.identification == 0 && !frame.dontFragment)
        #expect(frame.payload.count == 320)

        #expect(message.operation == .request)
        #expect(message.transactionID == 0x26f3_0339)
        #expect(!message.isBroadcast && message.flags == 0)
        #expect(message.clientMAC == mac)
        #expect(message.clientAddress == .any && message.relayAgentAddress == .any && message.hops == 0)
        #expect(message.serverName.isEmpty && message.bootFileName.isEmpty)

        let options = message.options
        #expect(options.map(\.code) == [53, 55, 93, 94, 97, 60])
        #expect(options.messageType == .discover)
        #expect(options[.parameterRequestList]?.map(DHCPOptionCode.init(rawValue:)) == Self.piROMParameterRequestList)
        #expect(options.clientSystemArchitectures == [0])
        #expect(options[.clientNetworkInterface] == [1, 2, 1])
        #expect(options[.clientMachineIdentifier] == [0] + Array(repeating: 0x44, count: 16))
        #expect(options.vendorClassIdentifier == Self.piVendorClass)
        #expect(options.maximumMessageSize == nil && options.hostName == nil)

        let identity = RaspberryPiClientIdentity(options: options)
        #expect(identity == .pi3BBootROM)
        #expect(identity.isRaspberryPi && identity.serial == nil)
    }

    @Test func pi3BROMDiscoverHasNoUDPChecksum() {
        let bytes = ReconstructedFrames.pi3BROMDiscover
        #expect(bytes[40] == 0 && bytes[41] == 0)
    }

    @Test func pi3BPlusROMDiscoverCarriesTheSerial() throws {
        let (frame, message) = try decode(ReconstructedFrames.pi3BPlusROMDiscover)
        #expect(frame.payload.count == 320)
        #expect(message.transactionID == 0x26f3_0339)
        #expect(message.options[.parameterRequestList]?.map(DHCPOptionCode.init(rawValue:)) == Self.piROMParameterRequestList)
        let identity = RaspberryPiClientIdentity(options: message.options)
        #expect(identity == .serialGUID(RaspberryPiSerial(0xb66c_4c16)))
        #expect(identity.serial?.description == "b66c4c16")
        // Pi 1-3 MACs end with the serial's low three bytes: the byte-order cross-check.
        #expect(message.clientMAC?.bytes.suffix(3) == [0x6c, 0x4c, 0x16])
    }

    @Test func bootcodeDiscoverAddsMaskAndRouterToTheROMList() throws {
        let (frame, message) = try decode(ReconstructedFrames.bootcodeDiscover)
        #expect(frame.payload.count == 322)
        #expect(message.transactionID == 0x26f3_0339)
        #expect(message.options[.parameterRequestList]?.map(DHCPOptionCode.init(rawValue:)) == Self.piROMParameterRequestList + [1, 3])
        #expect(message.options.vendorClassIdentifier == Self.piVendorClass)
        #expect(RaspberryPiClientIdentity(options: message.options).serial?.description == "b66c4c16")
    }

    @Test func pi4BootloaderDiscoverCarriesBoardRevisionMACAndSerial() throws {
        let (frame, message) = try decode(ReconstructedFrames.pi4BootloaderDiscover)
        #expect(frame.payload.count == 322)
        #expect(frame.timeToLive == 64)
        #expect(message.transactionID == 0xc330_4c5b)
        #expect(message.options[.parameterRequestList]?.map(DHCPOptionCode.init(rawValue:)) == [1, 3, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135])
        let identity = RaspberryPiClientIdentity(options: message.options)
        guard case .bootloader(let guid) = identity else {
            Issue.record("classified as \(identity)")
            return
        }
        #expect(guid.fourCCOrder == .reversed)
        #expect(guid.boardRevision == RaspberryPiBoardRevision(0x00c0_3115))
        #expect(guid.boardRevision.description == "Pi 4B 4GB rev 1.5" && guid.generation == "4")
        #expect(guid.macLowBytes == Array(try #require(message.clientMAC).bytes.suffix(4)))
        #expect(guid.serial.description == "f34fdaa9")
        #expect(identity.serial == guid.serial && identity.isRaspberryPi)
    }

    /// The Pi 5 frame: the Pi 4's DISCOVER with `RPi5` in reading order and revision d04170.
    @Test func pi5BootloaderDiscoverIsAGeneration5BootloaderWithItsBoard() throws {
        let (frame, message) = try decode(ReconstructedFrames.pi5BootloaderDiscover)
        #expect(frame.payload.count == 322 && frame.timeToLive == 64)
        #expect(message.transactionID == 0x5a5a_0001)
        #expect(message.options.vendorClassIdentifier == Self.piVendorClass)
        let identity = RaspberryPiClientIdentity(options: message.options)
        guard case .bootloader(let guid) = identity else {
            Issue.record("classified as \(identity)")
            return
        }
        #expect(guid.fourCCOrder == .text && guid.generation == "5")
        #expect(guid.boardRevision.description == "Pi 5B 8GB rev 1.0")
        #expect(guid.macLowBytes == [0x67, 0xfe, 0x01, 0x02])
        #expect(guid.serial.description == "9ffefdef")
    }

    /// The CM4 frame: option 97 as a CM4's dnsmasq log shows it (raspberrypi/cmprovision#5:
    /// `52 50 69 34`, revision c03140, MAC e4:5f:01:94:24:f8, serial starting e7).
    @Test func cm4BootloaderDiscoverNamesTheComputeModule() throws {
        let (frame, message) = try decode(ReconstructedFrames.cm4BootloaderDiscover)
        #expect(frame.payload.count == 322)
        let identity = RaspberryPiClientIdentity(options: message.options)
        guard case .bootloader(let guid) = identity else {
            Issue.record("classified as \(identity)")
            return
        }
        #expect(Array(message.options[.clientMachineIdentifier]?.prefix(10) ?? []) == [0x00, 0x52, 0x50, 0x69, 0x34, 0x40, 0x31, 0xc0, 0x00, 0x01])
        #expect(guid.fourCCOrder == .text && guid.generation == "4" && guid.boardRevision.description == "CM4 4GB rev 1.0")
        #expect(guid.serial.description == "5d3c71e7")
    }

    @Test func linuxKernelDiscover() throws {
        let (frame, message) = try decode(ReconstructedFrames.linuxKernelDiscover)
        #expect(frame.payload.count == 548)
        #expect(frame.dontFragment && frame.timeToLive == 64)
        #expect(message.transactionID == 0x1234_5678)
        #expect(message.options.map(\.code) == [53, 55])
        #expect(message.options[.parameterRequestList]?.map(DHCPOptionCode.init(rawValue:)) == [1, 3, 6, 12, 15, 17, 26, 40, 42])
        #expect(message.options.vendorClassIdentifier == nil)
        #expect(RaspberryPiClientIdentity(options: message.options) == .nonPXE)
    }

    /// The ROM's payload is the fixed header, its options and nothing else, so our encoder,
    /// given the decoded value, must write the same 320 bytes.
    @Test func pi3BROMPayloadReencodesByteForByte() throws {
        let (frame, message) = try decode(ReconstructedFrames.pi3BROMDiscover)
        #expect(try message.encoded().bytes == Array(frame.payload))
    }

    /// Everything before the UDP checksum (which the ROM leaves at 0 and we compute) is
    /// rebuilt exactly, including the IP header checksum 0x3992.
    @Test func pi3BROMFrameHeadersReencode() throws {
        let original = ReconstructedFrames.pi3BROMDiscover
        let frame = try EthernetUDPFrame(decoding: original)
        let rebuilt = frame.encoded()
        #expect(rebuilt.count == original.count)
        #expect(rebuilt.prefix(40) == original.prefix(40))
        #expect(rebuilt.dropFirst(42) == original.dropFirst(42))
        #expect(try EthernetUDPFrame(decoding: rebuilt) == frame)
    }

    @Test(arguments: [
        ReconstructedFrames.pi3BROMDiscover, ReconstructedFrames.pi3BPlusROMDiscover,
        ReconstructedFrames.bootcodeDiscover, ReconstructedFrames.pi4BootloaderDiscover,
        ReconstructedFrames.linuxKernelDiscover, ReconstructedFrames.pi5BootloaderDiscover,
        ReconstructedFrames.cm4BootloaderDiscover,
    ])
    func everyTruncationOfAFrameFailsWithATypedError(frame: [UInt8]) {
        for length in 0..<frame.count {
            #expect(throws: FrameDecodingError.self) { try EthernetUDPFrame(decoding: frame.prefix(length)) }
        }
    }
}
