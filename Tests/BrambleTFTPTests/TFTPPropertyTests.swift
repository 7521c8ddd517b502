import BrambleTFTP
import PropertyBased
import Testing

@Suite struct TFTPPropertyTests {
    /// Printable ASCII without NUL: what option names, values and messages are made of.
    static let text = Gen.uint8(in: 0x21...0x7e).array(of: 1...12).map { String(decoding: $0, as: UTF8.self) }
    static let options = zip(text, text).map { TFTPOption($0, $1) }.array(of: 0...5).map(TFTPOptions.init)
    static let mode = Gen.element(of: TFTPTransferMode.allCases).compactMap { $0 }
    static let request = zip(text, mode, options).map { TFTPRequest(fileName: $0, mode: $1, options: $2) }
    static let packet = Gen<TFTPPacket>.oneOf(
        request.map { TFTPPacket.readRequest($0) },
        request.map { TFTPPacket.writeRequest($0) },
        zip(Gen.uint16(), Gen.uint8().array(of: 0...600)).map { TFTPPacket.data(block: $0, payload: $1[...]) },
        Gen.uint16().map { TFTPPacket.acknowledgement(block: $0) },
        zip(Gen.uint16(), text).map { TFTPPacket.error(TFTPErrorCode(rawValue: $0), message: $1) },
        options.map { TFTPPacket.optionAcknowledgement($0) }
    )

    @Test func encodeDecodeRoundTrips() async {
        await propertyCheck(input: Self.packet) { packet in
            #expect((try? TFTPPacket(decoding: try packet.encoded())) == packet)
        }
    }

    @Test func anyBytesDecodeToAPacketOrATypedError() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...600)) { bytes in
            do throws(TFTPDecodingError) {
                _ = try TFTPPacket(decoding: bytes)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// Random bytes rarely carry a valid opcode; these always do, so the string and option
    /// parsers see garbage.
    @Test func anyBodyAfterAValidOpcodeDecodesOrFailsTyped() async {
        await propertyCheck(count: 500, input: Gen.uint8(in: 1...6), Gen.uint8(in: 0...3).array(of: 0...40)) { opcode, body in
            // Small byte values make NULs frequent, so fields end early and often.
            let bytes = [0, opcode] + body.map { $0 == 3 ? UInt8(ascii: "a") : $0 }
            do throws(TFTPDecodingError) {
                _ = try TFTPPacket(decoding: bytes)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
