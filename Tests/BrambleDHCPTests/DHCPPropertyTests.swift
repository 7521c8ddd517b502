import BrambleDHCP
import BrambleWire
import PropertyBased
import Testing

@Suite struct DHCPPropertyTests {
    /// Any code but the framing ones (0, 52, 255), which the codec owns.
    static let storableCode = Gen.uint8(in: 1...254).filter { $0 != 52 }.map(DHCPOptionCode.init(rawValue:))
    static let option = zip(storableCode, Gen.uint8().array(of: 0...300)).map { DHCPOption($0, $1) }
    /// NUL-free, so the fields decode back to the same bytes.
    static let serverName = Gen.uint8(in: 1...255).array(of: 0...64)
    static let bootFileName = Gen.uint8(in: 1...255).array(of: 0...128)

    static let header = zip(Gen.bool, Gen.uint32(), Gen.uint8().array(of: 16), Gen.uint16(), Gen.uint32(), Gen.uint32())
    static let message = zip(header, serverName.optional, bootFileName.optional, option.array(of: 0...8))
        .map { header, serverName, bootFileName, options in
            let (isReply, xid, chaddr, flags, yiaddr, giaddr) = header
            var message = DHCPMessage(
                operation: isReply ? .reply : .request, transactionID: xid, clientMAC: .broadcast, flags: flags,
                yourAddress: IPv4Address(yiaddr), relayAgentAddress: IPv4Address(giaddr),
                serverName: serverName ?? [], bootFileName: bootFileName ?? [], options: DHCPOptions(options))
            message.clientHardwareAddress = chaddr
            return message
        }

    /// Encode then decode gives the message back, minus exactly the options reported as
    /// dropped, within the size limit and at least the BOOTP minimum.
    @Test func encodeDecodeRoundTrips() async {
        await propertyCheck(input: Self.message, Gen.int(in: 576...1500)) { message, limit in
            let encoded: DHCPEncodedMessage
            do {
                encoded = try message.encoded(maximumMessageSize: limit, mandatoryOptions: [])
            } catch {
                Issue.record("encoding failed: \(error)")
                return
            }
            #expect(encoded.bytes.count >= 300 && encoded.bytes.count <= limit - 28)
            var expected = message
            for code in encoded.droppedOptions { expected.options[code] = nil }
            #expect((try? DHCPMessage(decoding: encoded.bytes)) == expected)
        }
    }

    @Test func anyBytesDecodeToAMessageOrATypedError() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...600)) { bytes in
            do throws(DHCPDecodingError) {
                _ = try DHCPMessage(decoding: bytes)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// Random bytes rarely get past the cookie; these do, so the option parser sees garbage:
    /// random options fields, overload values and file/sname contents.
    @Test func anyOptionBytesDecodeToAMessageOrATypedError() async {
        let header = rawMessage(options: [])
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 192), Gen.uint8().array(of: 0...400)) { fields, options in
            var bytes = header
            bytes.replaceSubrange(44..<236, with: fields)
            bytes += [0x34, 0x01, fields[0] % 4] + options
            do throws(DHCPDecodingError) {
                let message = try DHCPMessage(decoding: bytes)
                _ = RaspberryPiClientIdentity(options: message.options)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// The reconstructed frames with one byte changed: still a value or a typed error.
    @Test func mutatedPiFramesNeverTrap() async {
        let frames = [ReconstructedFrames.pi3BROMDiscover, ReconstructedFrames.pi4BootloaderDiscover]
        await propertyCheck(count: 500, input: Gen.element(of: frames), Gen.int(in: 0...361), Gen.uint8()) { frame, index, byte in
            guard var bytes = frame else { return }
            bytes[index] = byte
            guard let udp = try? EthernetUDPFrame(decoding: bytes) else { return }
            if let message = try? DHCPMessage(decoding: udp.payload) {
                _ = RaspberryPiClientIdentity(options: message.options)
            }
        }
    }

    @Test func randomGUIDsClassifyWithoutTrapping() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...20), Gen.uint8().array(of: 0...40)) { guid, vendorClass in
            var options = DHCPOptions()
            options[.clientMachineIdentifier] = guid
            options[.vendorClassIdentifier] = vendorClass
            let identity = RaspberryPiClientIdentity(options: options)
            if identity.isRaspberryPi { #expect(guid.count == 17 && guid[0] == 0) }
            if identity.serial != nil { #expect(identity.isRaspberryPi) }
        }
    }
}
