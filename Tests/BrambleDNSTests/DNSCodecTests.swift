import BrambleDNS
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct DNSCodecTests {
    /// `dig node01.cluster A` as sent with EDNS (id 0xbeef, RD, OPT udp 1232).
    static let digQuery = hex("""
        beef 0100 0001 0000 0000 0001
        06 6e6f64653031 07 636c7573746572 00 0001 0001
        00 0029 04d0 00000000 0000
        """)

    @Test func decodesADigQuery() throws {
        let message = try DNSMessage(decoding: Self.digQuery)
        #expect(message.header.id == 0xbeef)
        #expect(message.header.recursionDesired && !message.header.isResponse)
        #expect(message.question == DNSQuestion(name: name("node01.cluster"), type: .a))
        #expect(message.edns == DNSEDNS(udpPayloadSize: 1232))
        #expect(try message.encoded() == Self.digQuery)
    }

    @Test func everyRecordKindRoundTrips() throws {
        let owner = name("Node01.Cluster")
        let soa = DNSStartOfAuthority(
            primaryServer: name("hub.cluster"), responsibleMailbox: name("hostmaster.cluster"),
            serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4)
        let message = DNSMessage(
            header: DNSHeader(id: 9, isResponse: true, isAuthoritative: true, recursionDesired: true, recursionAvailable: true,
                              authenticData: true, checkingDisabled: true),
            responseCode: .badVersion,
            questions: [DNSQuestion(name: owner, type: .any)],
            answers: [
                DNSResourceRecord(name: owner, ttl: 60, data: .a(IPv4Address(10, 42, 0, 1))),
                DNSResourceRecord(name: owner, ttl: 60, data: .other(.aaaa, Array(repeating: 0xfe, count: 16))),
                DNSResourceRecord(name: owner, ttl: 60, data: .cname(name("alias.example"))),
                DNSResourceRecord(name: owner, ttl: 60, data: .mx(preference: 10, exchange: name("mail.cluster"))),
                DNSResourceRecord(name: owner, ttl: 60, data: .other(.txt, [3] + Array("hey".utf8))),
                DNSResourceRecord(name: name("1.0.42.10.in-addr.arpa"), ttl: 5, data: .ptr(owner)),
            ],
            authorities: [
                DNSResourceRecord(name: name("cluster"), ttl: 3, data: .soa(soa)),
                DNSResourceRecord(name: name("cluster"), ttl: 3, data: .ns(name("hub.cluster"))),
            ],
            additionals: [DNSResourceRecord(name: name("hub.cluster"), recordClass: .chaos, ttl: 0, data: .a(IPv4Address(10, 42, 0, 250)))],
            edns: DNSEDNS(udpPayloadSize: 4096, version: 0, dnssecOK: true, options: [0, 10, 0, 2, 0xab, 0xcd]))
        let bytes = try message.encoded(limit: 65535)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded == message)
        #expect(decoded.answers[0].name.isIdentical(to: owner), "case kept through compression")
    }

    @Test func compressionShrinksRepeatedNames() throws {
        let owner = name("node01.cluster")
        let records = (1...5).map { (host: UInt8) in DNSResourceRecord(name: owner, ttl: 0, data: .a(IPv4Address(10, 42, 0, host))) }
        let message = DNSMessage(header: DNSHeader(id: 1, isResponse: true), questions: [DNSQuestion(name: owner, type: .a)], answers: records)
        let bytes = try message.encoded()
        // Header 12, question 16 + 4, each answer a 2-byte pointer + 10 + 4.
        #expect(bytes.count == 12 + 20 + 5 * 16)
        #expect(Array(bytes[32...33]) == [0xc0, 0x0c], "first answer points at the question's name")
    }

    @Test func suffixesCompressToo() throws {
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true), questions: [DNSQuestion(name: name("node01.cluster"), type: .ns)],
            answers: [DNSResourceRecord(name: name("cluster"), ttl: 0, data: .ns(name("hub.cluster")))])
        let bytes = try message.encoded()
        // answer owner `cluster` -> pointer to offset 19; NS data `hub` + pointer to 19.
        #expect(bytes.count == 12 + 20 + 2 + 10 + 4 + 2)
        #expect(try DNSMessage(decoding: bytes) == message)
    }

    @Test func truncationSetsTCAndKeepsQuestionAndOPT() throws {
        let owner = name("big.example")
        let answers = (0..<40).map { (_: Int) in DNSResourceRecord(name: owner, ttl: 0, data: .other(.txt, [20] + Array(repeating: 0x61, count: 20))) }
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true), questions: [DNSQuestion(name: owner, type: .txt)],
            answers: answers, edns: DNSEDNS())
        let udp = try DNSMessage(decoding: message.encoded(limit: 512))
        #expect(udp.header.isTruncated)
        #expect(udp.answers.isEmpty && udp.questions == message.questions && udp.edns != nil)

        #expect(throws: DNSEncodingError.questionsDoNotFit(questionCount: 1, limit: 20),
                "a limit below the question: nothing over the limit is ever made") {
            try message.encoded(limit: 20)
        }

        let tcp = try message.encoded(limit: 65535)
        #expect(tcp.count > 512)
        #expect(try DNSMessage(decoding: tcp).header.isTruncated == false)
    }

    @Test func additionalRecordsThatDoNotFitAreDroppedWithoutTC() throws {
        let owner = name("x.example")
        let extra = (0..<40).map { (_: Int) in DNSResourceRecord(name: owner, ttl: 0, data: .other(.txt, [20] + Array(repeating: 0x61, count: 20))) }
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true), questions: [DNSQuestion(name: owner, type: .a)],
            answers: [DNSResourceRecord(name: owner, ttl: 0, data: .a(IPv4Address(1, 2, 3, 4)))], additionals: extra)
        let bytes = try message.encoded(limit: 512)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(bytes.count <= 512)
        #expect(!decoded.header.isTruncated && decoded.answers.count == 1)
        #expect(!decoded.additionals.isEmpty && decoded.additionals.count < extra.count)
    }

    @Test func responseSizeLimits() {
        #expect(query("a", .a).maximumResponseSize(overTCP: false) == 512)
        #expect(query("a", .a, edns: DNSEDNS(udpPayloadSize: 4096)).maximumResponseSize(overTCP: false) == 1232)
        #expect(query("a", .a, edns: DNSEDNS(udpPayloadSize: 100)).maximumResponseSize(overTCP: false) == 512)
        #expect(query("a", .a, edns: DNSEDNS(udpPayloadSize: 900)).maximumResponseSize(overTCP: false) == 900)
        #expect(query("a", .a).maximumResponseSize(overTCP: true) == 65535)
    }

    // MARK: Malformed input

    static let header = hex("0001 0000 0001 0000 0000 0000")

    @Test func compressionLoopIsRejected() {
        // Question name is a pointer to itself.
        #expect(throws: DNSDecodingError.pointerLoop(at: 12, target: 12)) {
            try DNSMessage(decoding: Self.header + hex("c00c 0001 0001"))
        }
        // `a` then a pointer back to the `a`: would repeat forever.
        #expect(throws: DNSDecodingError.pointerLoop(at: 14, target: 12)) {
            try DNSMessage(decoding: Self.header + hex("0161 c00c 0001 0001"))
        }
    }

    @Test func pointerPastTheEndIsRejected() {
        #expect(throws: DNSDecodingError.pointerBeyondMessage(at: 12, target: 0x3ff)) {
            try DNSMessage(decoding: Self.header + hex("c3ff 0001 0001"))
        }
    }

    @Test func longPointerChainsAreBounded() {
        // A root question; an answer of an unknown type whose data is 200 pointers, each to
        // the one before (the first to the question's root name); then an answer whose owner
        // is a pointer to the last of them.
        var bytes = hex("0001 8000 0001 0002 0000 0000") + hex("00 0001 0001") + hex("00 0063 0001 00000000 0190")
        var previous = 12
        for _ in 0..<200 {
            let here = bytes.count
            bytes += [0xc0 | UInt8(previous >> 8), UInt8(previous & 0xff)]
            previous = here
        }
        let owner = bytes.count
        bytes += [0xc0 | UInt8(previous >> 8), UInt8(previous & 0xff)] + hex("0001 0001 00000000 0004 0a2a0001")
        #expect(throws: DNSDecodingError.tooManyPointers(at: owner)) { try DNSMessage(decoding: bytes) }
    }

    @Test func label64IsRejected() {
        let label = [64] + Array(repeating: UInt8(ascii: "a"), count: 64)
        #expect(throws: DNSDecodingError.labelTooLong(at: 12, lengthByte: 64)) {
            try DNSMessage(decoding: Self.header + label + hex("00 0001 0001"))
        }
    }

    @Test func name256IsRejected() {
        // Four 63-byte labels: 4 * 64 + 1 = 257 bytes on the wire.
        let label63: [UInt8] = [63] + Array(repeating: UInt8(ascii: "a"), count: 63)
        let labels = label63 + label63 + label63 + label63
        #expect(throws: DNSDecodingError.nameTooLong(at: 12)) {
            try DNSMessage(decoding: Self.header + labels + hex("00 0001 0001"))
        }
        // Three 63-byte labels and one of 61 make exactly 255: fine.
        let longest = label63 + label63 + label63 + [61] + Array(repeating: UInt8(ascii: "b"), count: 61)
        #expect(throws: Never.self) { try DNSMessage(decoding: Self.header + longest + hex("00 0001 0001")) }
    }

    @Test func countsThatLieAreRejected() {
        // Claims 1 question and 3 answers; has only the question.
        let bytes = hex("0001 0000 0001 0003 0000 0000") + hex("0161 00 0001 0001")
        #expect(throws: DNSDecodingError.truncated(at: bytes.count)) { try DNSMessage(decoding: bytes) }
        #expect(throws: DNSDecodingError.truncated(at: 12)) { try DNSMessage(decoding: hex("0001 0000 ffff ffff ffff ffff")) }
    }

    @Test func truncatedRecordsAreRejected() {
        let answer = hex("0161 00 0001 0001 00000000 0004 0a2a")
        #expect(throws: DNSDecodingError.truncated(at: 12 + answer.count)) {
            try DNSMessage(decoding: hex("0001 8000 0000 0001 0000 0000") + answer)
        }
        #expect(throws: DNSDecodingError.truncatedHeader(length: 5)) { try DNSMessage(decoding: hex("0001 0203 04")) }
    }

    @Test func recordDataThatDoesNotFitItsTypeIsRejected() {
        let fiveByteA = hex("0161 00 0001 0001 00000000 0005 0a2a000101")
        #expect(throws: DNSDecodingError.invalidRecordData(type: .a, at: 25)) {
            try DNSMessage(decoding: hex("0001 8000 0000 0001 0000 0000") + fiveByteA)
        }
        // PTR whose RDLENGTH (2) ends inside its name.
        let shortPTR = hex("0161 00 000c 0001 00000000 0002 0162 00")
        #expect(throws: DNSDecodingError.invalidRecordData(type: .ptr, at: 25)) {
            try DNSMessage(decoding: hex("0001 8000 0000 0001 0000 0000") + shortPTR)
        }
    }

    @Test func aSecondOPTIsRejected() {
        let opt = hex("00 0029 0200 00000000 0000")
        #expect(throws: DNSDecodingError.invalidOPTRecord(at: 12 + opt.count)) {
            try DNSMessage(decoding: hex("0001 0000 0000 0000 0000 0002") + opt + opt)
        }
    }

    @Test func formatErrorReplyEchoesIDOnlyForQueries() throws {
        let garbage = hex("abcd 0100 0001 0000 0000 0000 c0")
        let reply = try #require(DNSMessage.formatErrorResponse(toUndecodable: garbage[...]))
        let decoded = try DNSMessage(decoding: reply)
        #expect(decoded.header.id == 0xabcd && decoded.header.isResponse && decoded.header.recursionDesired)
        #expect(decoded.responseCode == .formatError)
        #expect(DNSMessage.formatErrorResponse(toUndecodable: hex("abcd 8100 0001 0000 0000 0000 c0")[...]) == nil)
        #expect(DNSMessage.formatErrorResponse(toUndecodable: hex("abcd")[...]) == nil)
    }

    @Test func namesCompareCaseInsensitivelyButKeepTheirCase() throws {
        #expect(name("NODE01.Cluster") == name("node01.cluster"))
        #expect(name("NODE01.Cluster").hashValue == name("node01.cluster").hashValue)
        #expect(!name("NODE01.Cluster").isIdentical(to: name("node01.cluster")))
        #expect(name("NODE01.Cluster").description == "NODE01.Cluster.")
        #expect(name("node01.cluster").isSubdomain(of: name("CLUSTER")))
        #expect(!name("node01.xcluster").isSubdomain(of: name("cluster")))
        #expect(throws: DNSNameError.labelTooLong(length: 64)) { try DNSName(parsing: String(repeating: "a", count: 64)) }
        #expect(throws: DNSNameError.emptyLabel) { try DNSName(parsing: "a..b") }
    }
}
