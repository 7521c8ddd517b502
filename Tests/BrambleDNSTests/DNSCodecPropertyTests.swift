import BrambleDNS
import BrambleWire
import PropertyBased
import Testing

@Suite struct DNSCodecPropertyTests {
    /// Labels from a small alphabet in mixed case, so names often share suffixes (and
    /// compression has work) and differ only in case.
    static let label = Gen.element(of: Array("aAbB-0".utf8)).map { $0! }.array(of: 1...6)
    static let dnsName = label.array(of: 0...4).map { try! DNSName(labels: $0) }
    static let rawType = Gen.element(of: [DNSRecordType.aaaa, .txt, .srv, DNSRecordType(rawValue: 65280)]).map { $0! }

    static let recordData = zip(Gen.int(in: 0...6), dnsName, dnsName, Gen.uint32(), rawType, Gen.uint8().array(of: 0...40))
        .map { kind, first, second, number, type, raw -> DNSRecordData in
            switch kind {
            case 0: .a(IPv4Address(number))
            case 1: .ns(first)
            case 2: .cname(first)
            case 3: .ptr(first)
            case 4: .mx(preference: UInt16(truncatingIfNeeded: number), exchange: first)
            case 5: .soa(DNSStartOfAuthority(
                primaryServer: first, responsibleMailbox: second, serial: number,
                refresh: 1, retry: 2, expire: 3, minimum: number >> 3))
            default: .other(type, raw)
            }
        }
    static let record = zip(dnsName, Gen.uint32(in: 0...0x7fff_ffff), recordData)
        .map { DNSResourceRecord(name: $0, ttl: $1, data: $2) }
    static let edns = zip(Gen.uint16(), Gen.bool(), Gen.uint8().array(of: 0...8))
        .map { DNSEDNS(udpPayloadSize: $0, dnssecOK: $1, options: $2) }
    static let message = zip(
        Gen.uint16(), Gen.uint16(in: 0...0x0fff), dnsName.array(of: 0...2), record.array(of: 0...6),
        record.array(of: 0...3), record.array(of: 0...3))
        .map { id, code, names, answers, authorities, additionals in
            DNSMessage(
                header: DNSHeader(id: id, isResponse: code & 1 != 0, opcode: UInt8(code >> 8 & 0xf),
                                  isAuthoritative: code & 2 != 0, recursionDesired: code & 4 != 0,
                                  recursionAvailable: code & 8 != 0, authenticData: code & 16 != 0),
                responseCode: DNSResponseCode(rawValue: code & 0xf),
                questions: names.map { DNSQuestion(name: $0, type: .a) },
                answers: answers, authorities: authorities, additionals: additionals)
        }

    /// Encode then decode gives the message back (names compared as DNS compares them:
    /// a name compressed onto an earlier one takes that one's case).
    @Test func encodeDecodeRoundTrips() async {
        await propertyCheck(input: Self.message, Self.edns.optional) { message, edns in
            var message = message
            message.edns = edns
            let bytes = try message.encoded(limit: 65535)
            #expect((try? DNSMessage(decoding: bytes)) == message)
        }
    }

    /// Whatever the limit, the encoding fits it (a header and question always fit these),
    /// decodes, and either holds every answer or says TC. Below the question, a typed error.
    @Test func encodingRespectsTheSizeLimit() async {
        await propertyCheck(input: Self.message, Gen.int(in: 12...700)) { message, limit in
            let fullSize = try message.encoded(limit: 65535).count
            let bytes: [UInt8]
            do {
                bytes = try message.encoded(limit: limit)
            } catch {
                #expect(error as? DNSEncodingError == .questionsDoNotFit(questionCount: message.questions.count, limit: limit))
                return
            }
            let decoded = try? DNSMessage(decoding: bytes)
            #expect(bytes.count <= limit)
            if fullSize <= limit {
                #expect(bytes.count == fullSize)
            }
            #expect(decoded != nil)
            #expect(decoded?.header.isTruncated == true || decoded?.answers == message.answers)
        }
    }

    @Test func anyBytesDecodeToAMessageOrATypedError() async {
        await propertyCheck(count: 1000, input: Gen.uint8().array(of: 0...600)) { bytes in
            do throws(DNSDecodingError) {
                _ = try DNSMessage(decoding: bytes)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// Random bytes rarely get past the first name; valid messages with one byte changed
    /// reach every field, pointer and count.
    @Test func mutatedMessagesDecodeToAMessageOrATypedError() async {
        await propertyCheck(count: 1000, input: Self.message, Gen.int(in: 0...10_000), Gen.uint8()) { message, position, byte in
            var bytes = try message.encoded(limit: 65535)
            bytes[position % bytes.count] = byte
            do throws(DNSDecodingError) {
                let decoded = try DNSMessage(decoding: bytes)
                if let reply = try? decoded.encoded(limit: 512) { #expect(reply.count <= 512) }
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
