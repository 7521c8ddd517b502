import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct ClusterZoneTests {
    static let node = IPv4Address(10, 42, 0, 7)

    static func zone(dynamicHosts: [DynamicHost] = []) throws -> ClusterZone {
        let map = try nodeMap(["1 b8:27:eb:00:00:01", "7 b8:27:eb:00:00:07", "12 b8:27:eb:00:00:0c web12"])
        return ClusterZone(nodeMap: map, hub: hubInterface, domain: clusterDomain, dynamicHosts: dynamicHosts,
                           recordTTL: 10, negativeTTL: 30, serial: 42)
    }

    /// The zone's answer, failing the test when the zone forwards or drops instead.
    static func answer(_ query: DNSMessage, from client: IPv4Address = node, zone: ClusterZone? = nil) throws -> DNSMessage {
        guard case .answer(let response) = (try zone ?? Self.zone()).respond(to: query, from: client) else {
            Issue.record("no answer to \(query.questions)")
            return DNSMessage(header: DNSHeader(id: 0))
        }
        #expect(response.header.id == query.header.id && response.header.isResponse)
        return response
    }

    @Test func answersAForQualifiedAndShortNames() throws {
        for text in ["node07.cluster", "node07", "web12.cluster", "web12"] {
            let response = try Self.answer(query(text, .a))
            #expect(response.responseCode == .noError && response.header.isAuthoritative)
            #expect(response.answers.count == 1)
            #expect(response.answers.first?.name == name(text))
        }
        #expect(try Self.answer(query("node07.cluster", .a)).answers.first?.data == .a(Self.node))
        #expect(try Self.answer(query("web12", .a)).answers.first?.data == .a(IPv4Address(10, 42, 0, 12)))
        #expect(try Self.answer(query("hub.cluster", .a)).answers.first?.data == .a(IPv4Address(10, 42, 0, 250)))
        #expect(try Self.answer(query("switch.cluster", .a)).answers.first?.data == .a(IPv4Address(10, 42, 0, 201)))
        #expect(try Self.answer(query("node07.cluster", .a)).answers.first?.ttl == 10)
    }

    @Test func keepsTheQuestionsCase() throws {
        let response = try Self.answer(query("NoDe07.CLUSTER", .a))
        #expect(response.answers.first?.data == .a(Self.node))
        #expect(response.questions.first?.name.isIdentical(to: name("NoDe07.CLUSTER")) == true)
        #expect(response.answers.first?.name.isIdentical(to: name("NoDe07.CLUSTER")) == true)
        let wire = try DNSMessage(decoding: response.encoded())
        #expect(wire.answers.first?.name.isIdentical(to: name("NoDe07.CLUSTER")) == true)
    }

    @Test func answersPTRForTheReverseZone() throws {
        let response = try Self.answer(query("7.0.42.10.in-addr.arpa", .ptr))
        #expect(response.responseCode == .noError && response.header.isAuthoritative)
        #expect(response.answers.first?.data == .ptr(name("node07.cluster")))
        #expect(try Self.answer(query("250.0.42.10.in-addr.arpa", .ptr)).answers.first?.data == .ptr(name("hub.cluster")))
        #expect(try Self.answer(query("12.0.42.10.in-addr.arpa", .ptr)).answers.first?.data == .ptr(name("web12.cluster")))
    }

    @Test func answersSOAAndNSAtBothApexes() throws {
        for apex in ["cluster", "0.42.10.in-addr.arpa"] {
            let soa = try Self.answer(query(apex, .soa))
            guard case .soa(let data)? = soa.answers.first?.data else {
                Issue.record("no SOA for \(apex)")
                continue
            }
            #expect(soa.answers.first?.name == name(apex))
            #expect(data.primaryServer == name("hub.cluster") && data.serial == 42 && data.minimum == 30)
            let ns = try Self.answer(query(apex, .ns))
            #expect(ns.answers.first?.data == .ns(name("hub.cluster")))
            #expect(ns.additionals.first?.data == .a(IPv4Address(10, 42, 0, 250)), "glue for the name server")
        }
    }

    @Test func nodataForOtherTypesOfExistingNames() throws {
        for (text, type) in [("node07.cluster", DNSRecordType.aaaa), ("node07", .mx), ("cluster", .a), ("7.0.42.10.in-addr.arpa", .a)] {
            let response = try Self.answer(query(text, type))
            #expect(response.responseCode == .noError, "\(text) \(type)")
            #expect(response.answers.isEmpty)
            #expect(response.authorities.count == 1)
            #expect(response.authorities.first?.ttl == 30, "negative TTL")
            guard case .soa? = response.authorities.first?.data else {
                Issue.record("no SOA in authority for \(text)")
                continue
            }
        }
    }

    @Test func nxdomainForNamesThatDoNotExist() throws {
        for (text, apex) in [("node99.cluster", "cluster"), ("a.node07.cluster", "cluster"), ("99.0.42.10.in-addr.arpa", "0.42.10.in-addr.arpa"),
                             ("x.0.42.10.in-addr.arpa", "0.42.10.in-addr.arpa")] {
            let response = try Self.answer(query(text, .a))
            #expect(response.responseCode == .nameError, "\(text)")
            #expect(response.answers.isEmpty && response.header.isAuthoritative)
            #expect(response.authorities.first?.name == name(apex))
            #expect(response.authorities.first?.ttl == 30)
        }
    }

    @Test func anyGetsOneMinimalRecordSet() throws {
        #expect(try Self.answer(query("node07.cluster", .any)).answers.map(\.type) == [.a])
        #expect(try Self.answer(query("cluster", .any)).answers.map(\.type) == [.soa])
        #expect(try Self.answer(query("7.0.42.10.in-addr.arpa", .any)).answers.map(\.type) == [.ptr])
    }

    @Test func refusesClientsOutsideTheSubnet() throws {
        let response = try Self.answer(query("node07.cluster", .a), from: IPv4Address(192, 168, 1, 5))
        #expect(response.responseCode == .refused && response.answers.isEmpty)
        let forwarded = try Self.answer(query("example.com", .a), from: IPv4Address(8, 8, 8, 8))
        #expect(forwarded.responseCode == .refused)
        #expect(try Self.answer(query("node07.cluster", .a), from: IPv4Address(127, 0, 0, 1)).responseCode == .noError)
    }

    @Test func forwardsOtherNamesAndDropsResponses() throws {
        let zone = try Self.zone()
        #expect(zone.respond(to: query("example.com", .a), from: Self.node) == .forward)
        #expect(zone.respond(to: query("com", .soa), from: Self.node) == .forward, "unknown short names go upstream")
        #expect(zone.respond(to: query("34.216.184.93.in-addr.arpa", .ptr), from: Self.node) == .forward)
        var response = query("node07.cluster", .a)
        response.header.isResponse = true
        #expect(zone.respond(to: response, from: Self.node) == .drop)
    }

    @Test func authorityDecisions() throws {
        let zone = try Self.zone()
        #expect(zone.authority(for: name("cluster"), type: .a) == .clusterDomain)
        #expect(zone.authority(for: name("anything.below.CLUSTER"), type: .a) == .clusterDomain)
        #expect(zone.authority(for: name("node07"), type: .a) == .clusterDomain)
        #expect(zone.authority(for: name("node99"), type: .a) == .neverForwarded, "domain-needed")
        #expect(zone.authority(for: name("notcluster"), type: .aaaa) == .neverForwarded)
        #expect(zone.authority(for: name("com"), type: .ds) == .elsewhere, "what a validator asks of a TLD")
        #expect(zone.authority(for: name("0.42.10.in-addr.arpa"), type: .a) == .reverseZone)
        #expect(zone.authority(for: name("9.0.42.10.in-addr.arpa"), type: .a) == .reverseZone)
        #expect(zone.authority(for: name("9.1.42.10.in-addr.arpa"), type: .ptr) == .neverForwarded, "10/8 but not ours: bogus-priv")
        #expect(zone.authority(for: name("42.10.in-addr.arpa"), type: .ptr) == .neverForwarded)
        #expect(zone.authority(for: name("34.216.184.93.in-addr.arpa"), type: .ptr) == .elsewhere, "public")
    }

    @Test func malformedAndUnsupportedQueries() throws {
        var twoQuestions = query("node07.cluster", .a)
        twoQuestions.questions.append(twoQuestions.questions[0])
        #expect(try Self.answer(twoQuestions).responseCode == .formatError)
        var notify = query("cluster", .soa)
        notify.header.opcode = 4
        #expect(try Self.answer(notify).responseCode == .notImplemented)
        #expect(try Self.answer(query("cluster", .axfr)).responseCode == .refused)
        let badVersion = try Self.answer(query("node07.cluster", .a, edns: DNSEDNS(version: 1)))
        #expect(badVersion.responseCode == .badVersion)
        let encoded = try DNSMessage(decoding: badVersion.encoded())
        #expect(encoded.responseCode == .badVersion, "extended RCODE carried in the OPT record")
    }

    @Test func ednsQueriesGetAnOPTRecord() throws {
        let response = try Self.answer(query("node07.cluster", .a, edns: DNSEDNS(udpPayloadSize: 4096, dnssecOK: true)))
        #expect(response.edns == DNSEDNS(udpPayloadSize: DNSEDNS.advertisedPayloadSize, dnssecOK: true))
        #expect(try Self.answer(query("node07.cluster", .a)).edns == nil)
    }

    @Test func leaseNamesAreSanitisedAndNeverShadowNodes() throws {
        let zone = try Self.zone(dynamicHosts: [
            DynamicHost(hostname: Array("Bob's iPhone.home".utf8), address: IPv4Address(10, 42, 0, 100)),
            DynamicHost(hostname: Array("node07".utf8), address: IPv4Address(10, 42, 0, 101)),
            DynamicHost(hostname: Array("12345".utf8), address: IPv4Address(10, 42, 0, 102)),
            DynamicHost(hostname: Array("outside".utf8), address: IPv4Address(10, 43, 0, 1)),
        ])
        #expect(zone.address(of: name("bobs-iphone.cluster")) == IPv4Address(10, 42, 0, 100))
        #expect(zone.hostName(of: IPv4Address(10, 42, 0, 100)) == name("Bobs-iPhone.cluster"))
        #expect(zone.address(of: name("node07")) == Self.node)
        #expect(zone.hostName(of: IPv4Address(10, 42, 0, 101)) == nil)
        #expect(zone.hostName(of: IPv4Address(10, 42, 0, 102)) == nil)
        #expect(zone.address(of: name("outside")) == nil)
    }

    @Test func sanitisingHostNames() {
        func label(_ text: String) -> String? {
            DynamicHost(hostname: Array(text.utf8), address: .any).sanitisedLabel.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(label("laptop") == "laptop")
        #expect(label("my_laptop.lan") == "my-laptop")
        #expect(label("--x--") == "x")
        #expect(label("über") == "ber")
        #expect(label("") == nil)
        #expect(label("...") == nil)
        #expect(label("42") == nil)
        #expect(label(String(repeating: "a", count: 62) + "-b") == String(repeating: "a", count: 62))
    }

    @Test func liveChangesAreANewZone() throws {
        let before = try Self.zone()
        #expect(before.address(of: name("printer")) == nil)
        let after = try Self.zone(dynamicHosts: [DynamicHost(hostname: Array("printer".utf8), address: IPv4Address(10, 42, 0, 77))])
        #expect(try Self.answer(query("printer.cluster", .a), zone: after).answers.first?.data == .a(IPv4Address(10, 42, 0, 77)))
        #expect(try Self.answer(query("printer.cluster", .a), zone: before).responseCode == .nameError)
    }

    @Test func reverseZoneOfAWiderSubnet() throws {
        let hub = IPv4Interface("10.42.0.250/16")!
        let map = try nodeMap(["1 b8:27:eb:00:00:01", "300 b8:27:eb:00:00:02"], subnet: hub.subnet)
        let zone = ClusterZone(nodeMap: map, hub: hub, domain: clusterDomain)
        #expect(try Self.answer(query("44.1.42.10.in-addr.arpa", .ptr), zone: zone).answers.first?.data == .ptr(name("node300.cluster")))
        #expect(try Self.answer(query("42.10.in-addr.arpa", .soa), zone: zone).answers.first?.type == .soa)
        let emptyNonTerminal = try Self.answer(query("1.42.10.in-addr.arpa", .ptr), zone: zone)
        #expect(emptyNonTerminal.responseCode == .noError && emptyNonTerminal.answers.isEmpty)
        #expect(try Self.answer(query("9.42.10.in-addr.arpa", .ptr), zone: zone).responseCode == .nameError)
    }

    @Test func reverseZoneOfANarrowerSubnet() throws {
        let hub = IPv4Interface("10.42.0.126/25")!
        let map = try nodeMap(["1 b8:27:eb:00:00:01"], subnet: hub.subnet)
        let zone = ClusterZone(nodeMap: map, hub: hub, domain: clusterDomain)
        #expect(zone.authority(for: name("1.0.42.10.in-addr.arpa"), type: .a) == .reverseZone)
        #expect(zone.authority(for: name("200.0.42.10.in-addr.arpa"), type: .a) == .neverForwarded, "outside the /25, and private")
        #expect(zone.authority(for: name("0.42.10.in-addr.arpa"), type: .a) == .neverForwarded)
        #expect(try Self.answer(query("1.0.42.10.in-addr.arpa", .ptr), from: IPv4Address(10, 42, 0, 1), zone: zone)
            .answers.first?.data == .ptr(name("node01.cluster")))
    }

    @Test func buildingATenThousandNodeZoneIsCheap() throws {
        let hub = IPv4Interface("10.42.0.250/16")!
        let lines = (1...10_000).map { id in "\(id) b8:27:eb:\(hexByte(id >> 16)):\(hexByte(id >> 8)):\(hexByte(id))" }
        let map = try nodeMap(lines, subnet: hub.subnet)
        let clock = ContinuousClock()
        var zone: ClusterZone?
        let elapsed = clock.measure {
            zone = ClusterZone(nodeMap: map, hub: hub, domain: clusterDomain)
        }
        print("built a 10,000-node zone in \(elapsed)")
        #expect(elapsed < .seconds(1))
        #expect(zone?.address(of: name("node9999.cluster")) == IPv4Address(10, 42, 39, 15))
    }
}

private func hexByte(_ value: Int) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[(value >> 4) & 0xf], digits[value & 0xf]])
}
