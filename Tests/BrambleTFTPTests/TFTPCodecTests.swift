import BrambleTFTP
import Testing

@Suite struct TFTPCodecTests {
    @Test func decodesThePi3ROMRequest() throws {
        let packet = try TFTPPacket(decoding: wire(1, "bootcode.bin\0octet\0"))
        #expect(packet == .readRequest(TFTPRequest(fileName: "bootcode.bin", mode: .octet)))
    }

    @Test func decodesThePi4RequestWithOptions() throws {
        let packet = try TFTPPacket(decoding: wire(1, "9ffefdef/start4.elf\0octet\0tsize\00\0blksize\01024\0"))
        guard case .readRequest(let request) = packet else {
            Issue.record("not a read request: \(packet)")
            return
        }
        #expect(request.fileName == "9ffefdef/start4.elf")
        #expect(request.options == [TFTPOption("tsize", "0"), TFTPOption("blksize", "1024")])
    }

    @Test func modeAndOptionNamesIgnoreCase() throws {
        let packet = try TFTPPacket(decoding: wire(1, "a\0NetASCII\0BLKSIZE\01468\0"))
        guard case .readRequest(let request) = packet else {
            Issue.record("not a read request: \(packet)")
            return
        }
        #expect(request.mode == .netascii)
        #expect(request.options["blksize"] == "1468")
        #expect(request.options["BlkSize"] == "1468")
        #expect(request.options.first?.name == "BLKSIZE")
    }

    @Test func repeatedOptionNamesKeepTheFirstValue() throws {
        let packet = try TFTPPacket(decoding: wire(1, "a\0octet\0blksize\0512\0BLKSIZE\09000\0"))
        guard case .readRequest(let request) = packet else {
            Issue.record("not a read request: \(packet)")
            return
        }
        #expect(request.options["blksize"] == "512")
    }

    @Test func trailingNULPaddingAfterARequestIsIgnored() throws {
        let packet = try TFTPPacket(decoding: wire(1, "a\0octet\0tsize\00\0\0\0\0"))
        #expect(packet == .readRequest(TFTPRequest(fileName: "a", options: [TFTPOption("tsize", "0")])))
    }

    @Test func writeRequestsDecodeSoTheServerCanRefuseThem() throws {
        #expect(try TFTPPacket(decoding: wire(2, "x\0octet\0")) == .writeRequest(TFTPRequest(fileName: "x")))
    }

    @Test func paddedAcknowledgementFromAPi5() throws {
        #expect(try TFTPPacket(decoding: [0, 4, 0x01, 0x02, 0, 0, 0, 0, 0, 0]) == .acknowledgement(block: 0x0102))
        #expect(TFTPPacket.acknowledgedBlock(in: [0, 4, 0x01, 0x02, 0, 0, 0, 0, 0, 0][...]) == 0x0102)
    }

    /// The ACK reader the server uses for every block finds an ACK exactly where the
    /// decoder does, with the same number: a slice anywhere in a buffer, short ACKs,
    /// other opcodes and a nonzero first byte included.
    @Test func theAcknowledgementReaderAgreesWithTheDecoder() {
        let cases: [[UInt8]] = [
            [0, 4, 0, 1], [0, 4, 0xff, 0xff], [0, 4, 0], [0, 4], [1, 4, 0, 1], [0, 3, 0, 1, 9], [0, 5, 0, 1, 0], [], [9, 0, 4, 0, 7, 9],
        ]
        for bytes in cases {
            for start in 0...min(1, bytes.count) {
                let slice = bytes[start...]
                let decoded = try? TFTPPacket(decoding: slice)
                let expected: UInt16? = if case .acknowledgement(let block) = decoded { block } else { nil }
                #expect(TFTPPacket.acknowledgedBlock(in: slice) == expected, "\(Array(slice))")
            }
        }
    }

    @Test func dataKeepsItsPayloadAsASlice() throws {
        let bytes: [UInt8] = [0, 3, 0xff, 0xff, 1, 2, 3]
        #expect(try TFTPPacket(decoding: bytes) == .data(block: 65535, payload: [1, 2, 3]))
        #expect(try TFTPPacket(decoding: [0, 3, 0, 1]) == .data(block: 1, payload: []))
    }

    @Test func earlyTerminateFromThePiFirmware() throws {
        #expect(try TFTPPacket(decoding: wire(5, "\0\0Early terminate\0")) == .error(.notDefined, message: "Early terminate"))
    }

    @Test func errorMessageWithoutItsNULIsStillRead() throws {
        #expect(try TFTPPacket(decoding: wire(5, "\0\u{1}missing")) == .error(.fileNotFound, message: "missing"))
    }

    @Test func decodesAnOptionAcknowledgement() throws {
        let packet = try TFTPPacket(decoding: wire(6, "tsize\01234\0blksize\01024\0"))
        #expect(packet == .optionAcknowledgement([TFTPOption("tsize", "1234"), TFTPOption("blksize", "1024")]))
    }

    @Test(arguments: [
        ([UInt8](), TFTPDecodingError.truncated(opcode: nil, length: 0)),
        ([0], .truncated(opcode: nil, length: 1)),
        ([0, 4, 1], .truncated(opcode: .acknowledgement, length: 3)),
        ([0, 3, 0], .truncated(opcode: .data, length: 3)),
        ([0, 5, 0], .truncated(opcode: .error, length: 3)),
        ([0, 7], .unknownOpcode(7)),
        ([1, 1], .unknownOpcode(257)),
        (wire(1, "bootcode.bin"), .unterminatedField("file name")),
        (wire(1, "bootcode.bin\0octet"), .unterminatedField("mode")),
        (wire(1, "\0octet\0"), .emptyFileName),
        ([0, 1, 0xff, 0xfe, 0] + Array("octet\0".utf8), .fileNameNotUTF8),
        (wire(1, "a\0binary\0"), .unknownMode("binary")),
        (wire(1, "a\0octet\0blksize\0"), .optionWithoutValue("blksize")),
        (wire(1, "a\0octet\0blksize\01024"), .unterminatedField("value of option 'blksize'")),
        (wire(6, "\0\0x\0"), .emptyOptionName),
        ([0, 6, 0xc3, 0xa9, 0, 0x31, 0], .optionNotASCII),
    ])
    func malformedPacketsGiveTypedErrors(bytes: [UInt8], expected: TFTPDecodingError) {
        #expect(throws: expected) { try TFTPPacket(decoding: bytes) }
        #expect(!expected.description.isEmpty)
    }

    @Test func encodesEachKind() throws {
        #expect(try TFTPPacket.acknowledgement(block: 258).encoded() == [0, 4, 1, 2])
        #expect(try TFTPPacket.data(block: 1, payload: [9, 8]).encoded() == [0, 3, 0, 1, 9, 8])
        #expect(try TFTPPacket.error(.accessViolation, message: "no").encoded() == wire(5, "\0\u{2}no\0"))
        #expect(try TFTPPacket.optionAcknowledgement([TFTPOption("tsize", "7")]).encoded() == wire(6, "tsize\07\0"))
        let request = TFTPRequest(fileName: "a/b", mode: .netascii, options: [TFTPOption("blksize", "8")])
        #expect(try TFTPPacket.readRequest(request).encoded() == wire(1, "a/b\0netascii\0blksize\08\0"))
        #expect(try TFTPPacket.writeRequest(request).encoded()[1] == 2)
    }

    @Test func errorCodesDescribeThemselves() {
        #expect(TFTPErrorCode.unknownTransferID.description == "5 (unknown transfer ID)")
        #expect(TFTPErrorCode(rawValue: 99).description == "99 (undefined code)")
    }
}
