import BrambleNodeMap
import BrambleWire
import Glibc
import PropertyBased
import Testing

/// The cluster subnet and domain of the BitScope guide, used by every test here.
private let cluster = IPv4Subnet(containing: IPv4Address(10, 42, 0, 250), prefixLength: 24)

private func convert(_ text: String, domain: String = "cluster") -> DnsmasqImportResult {
    DnsmasqImport.convert(text: text, fileName: "test.conf", subnet: cluster, domain: domain)
}

private func mac(_ text: String) -> MACAddress {
    MACAddress(text) ?? .broadcast
}

/// Checks that each unconverted line is the expected one and its reason says the key words.
private func expectUnconverted(
    _ found: [UnconvertedLine], _ expected: [(line: Int, words: [String])], sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(found.map(\.line) == expected.map(\.line), sourceLocation: sourceLocation)
    for (line, words) in expected {
        guard let entry = found.first(where: { $0.line == line }) else { continue }
        for word in words {
            #expect(entry.reason.contains(word), "line \(line): '\(entry.reason)' lacks '\(word)'", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct DnsmasqImportClusterConfTests {
    let result: DnsmasqImportResult

    init() throws {
        result = DnsmasqImport.convert(
            text: try fixture("dnsmasq/cluster-dnsmasq.conf"), fileName: "cluster-dnsmasq.conf", subnet: cluster, domain: "cluster"
        )
    }

    @Test func convertsEveryUsableHostEntry() {
        #expect(result.nodes == [
            ImportedNode(line: 22, id: 1, mac: mac("b8:27:eb:00:00:01"), name: "node01", disabled: false),
            ImportedNode(line: 23, id: 2, mac: mac("b8:27:eb:00:00:02"), name: "node02", disabled: false),
            ImportedNode(line: 24, id: 3, mac: mac("b8:27:eb:00:00:03"), name: nil, disabled: false),
            ImportedNode(line: 25, id: 4, mac: mac("b8:27:eb:00:00:04"), name: "node04", disabled: false),
            ImportedNode(line: 26, id: 5, mac: mac("dc:a6:32:00:00:05"), name: "node05", disabled: false),
            ImportedNode(line: 27, id: 6, mac: mac("b8:27:eb:00:00:06"), name: "node06", disabled: false),
            ImportedNode(line: 28, id: 7, mac: mac("b8:27:eb:00:00:07"), name: "node07", disabled: false),
            ImportedNode(line: 29, id: 9, mac: mac("b8:27:eb:00:00:09"), name: "node09", disabled: true),
            ImportedNode(line: 44, id: 22, mac: mac("b8:27:eb:00:00:22"), name: "node22", disabled: false),
        ])
    }

    @Test func explainsEveryHostEntryItCannotConvert() {
        expectUnconverted(result.unconverted, [
            (30, ["'ignore' without an IPv4 address", "ID"]),
            (31, ["no MAC address", "'laptop'", "by MAC"]),
            (32, ["no MAC address", "client ID", "id:01:b8:27:eb:00:00:11"]),
            (33, ["wildcard MAC", "b8:27:eb:*:*:*", "own MAC"]),
            (34, ["several MACs", "b8:27:eb:00:00:12, dc:a6:32:00:00:12", "one MAC per node", "`12 b8:27:eb:00:00:12 node12`"]),
            (35, ["IPv6 only", "[fd00::13]", "DHCPv4"]),
            (36, ["192.168.1.14", "outside the cluster subnet 10.42.0.0/24"]),
            (37, ["10.42.0.255", "broadcast address"]),
            (38, ["malformed MAC", "'1g'"]),
            (39, ["'node_17'", "not a valid host name", "'_'"]),
            (40, ["duplicate MAC b8:27:eb:00:00:01", "line 22"]),
            (41, ["duplicate ID 3", "b8:27:eb:00:00:03", "line 24"]),
            (42, ["tag 'pxe'", "no conditions", "`20 b8:27:eb:00:00:20 node20`"]),
            (43, ["'node21.example.org'", "not in the cluster domain 'cluster'"]),
        ])
        #expect(result.unconverted.first?.text == "dhcp-host=b8:27:eb:00:00:10,ignore")
    }

    @Test func turnsOtherOptionsIntoAdvice() {
        let kinds = result.configHints.map { ($0.line, $0.kind) }
        let expected: [(Int, ConfigHint.Kind)] = [
            (4, .setting(key: "interface", value: "eth0")),
            (5, .builtIn),
            (6, .setting(key: "domain", value: "cluster")),
            (7, .builtIn),
            (8, .builtIn),
            (9, .setting(key: "upstream", value: "1.1.1.1")),
            (10, .setting(key: "upstream", value: "9.9.9.9:53")),
            (11, .builtIn),
            (12, .builtIn),
            (13, .builtIn),
            (14, .builtIn),
            (17, .builtIn),
            (18, .builtIn),
            (19, .setting(key: "pxe", value: "/pxe")),
            (46, .importAlso(path: "/etc/dnsmasq.hosts")),
            (47, .unsupported),
            (48, .setting(key: "tftp-max-transfers", value: "100")),
        ]
        #expect(kinds.map(\.0) == expected.map(\.0))
        #expect(kinds.map(\.1) == expected.map(\.1))
        let advice = Dictionary(uniqueKeysWithValues: result.configHints.map { ($0.line, $0.advice) })
        #expect(advice[4] == "set `interface = eth0` in bramble.conf")
        #expect(advice[11]?.contains("without a pool") == true)
        #expect(advice[12]?.contains("2s") == true)
        #expect(advice[14]?.contains("bramble logs NODE") == true)
        #expect(advice[17]?.contains("Raspberry Pi Boot") == true)
        #expect(advice[19] == "set `pxe = /pxe` in bramble.conf")
        #expect(advice[46] == "import that file too: `bramble nodes import-dnsmasq /etc/dnsmasq.hosts`")
        #expect(advice[48] == "set `tftp-max-transfers = 100` in bramble.conf")
        #expect(result.configHints.first?.text == "interface=eth0")
    }

    @Test func notesWhatConvertedEntriesLose() {
        #expect(result.notes.map(\.line) == [25, 26, 28, 44])
        #expect(result.notes[0].note.contains("lease time 'infinite' dropped"))
        #expect(result.notes[1].note.contains("tag 'pi4'"))
        #expect(result.notes[2].note.contains("'12h'"))
        #expect(result.notes[3].note.contains("'id:*'"))
    }

    @Test func accountsForEveryLineOnce() {
        #expect(result.lineCount == 48)
        #expect(result.commentOrBlankLines == [1, 2, 3, 15, 16, 20, 21, 45])
        let lines = result.nodes.map(\.line) + result.unconverted.map(\.line) + result.configHints.map(\.line)
            + result.commentOrBlankLines
        #expect(lines.sorted() == Array(1...48))
    }

    @Test func reportsEachProblemWithFileAndLine() {
        let report = result.reportLines
        #expect(report.count == result.unconverted.count + result.configHints.count + result.notes.count)
        #expect(report.first == "cluster-dnsmasq.conf:4: set `interface = eth0` in bramble.conf")
        #expect(report.contains { $0.hasPrefix("cluster-dnsmasq.conf:25: note: lease time") })
        #expect(report.contains { $0.hasPrefix("cluster-dnsmasq.conf:30: not imported: 'ignore'") })
        #expect(report.last == "cluster-dnsmasq.conf:48: set `tftp-max-transfers = 100` in bramble.conf")
    }
}

@Suite struct DnsmasqImportHostFileTests {
    @Test func readsEthersLines() throws {
        let result = DnsmasqImport.convert(text: try fixture("dnsmasq/ethers"), fileName: "ethers", subnet: cluster, domain: "cluster")
        #expect(result.nodes == [
            ImportedNode(line: 2, id: 30, mac: mac("b8:27:eb:00:00:30"), name: nil, disabled: false),
            ImportedNode(line: 3, id: 31, mac: mac("b8:27:eb:00:00:31"), name: nil, disabled: false),
            ImportedNode(line: 5, id: 33, mac: mac("08:00:27:00:00:33"), name: nil, disabled: false),
            ImportedNode(line: 7, id: 34, mac: mac("b8:27:eb:00:00:34"), name: nil, disabled: false),
        ])
        expectUnconverted(result.unconverted, [
            (4, ["no IPv4 address", "'node32'", "cannot look names up"]),
            (8, ["10.42.1.35", "outside the cluster subnet"]),
            (9, ["no MAC address", "/etc/hosts line"]),
        ])
        #expect(result.commentOrBlankLines == [1, 6])
        #expect(result.configHints.isEmpty && result.notes.isEmpty)
    }

    @Test func readsHostsFileLines() throws {
        let result = DnsmasqImport.convert(text: try fixture("dnsmasq/hostsfile"), fileName: "hostsfile", subnet: cluster, domain: "cluster")
        #expect(result.nodes == [
            ImportedNode(line: 2, id: 40, mac: mac("b8:27:eb:00:00:40"), name: "node40", disabled: false),
            ImportedNode(line: 3, id: 41, mac: mac("dc:a6:32:00:00:41"), name: "node41", disabled: false),
            ImportedNode(line: 4, id: 42, mac: mac("b8:27:eb:00:00:42"), name: "NODE42", disabled: false),
            ImportedNode(line: 7, id: 45, mac: mac("b8:27:eb:00:00:45"), name: "node45", disabled: false),
        ])
        expectUnconverted(result.unconverted, [
            (5, ["'-node43'", "hyphen"]),
            (6, ["10.42.0.0", "network address"]),
            (8, ["no IPv4 address"]),
            (9, ["duplicate name 'node40'", "line 2"]),
        ])
        #expect(result.notes.map(\.line) == [3, 4, 7])
        #expect(result.notes[2].note.contains("[fd00::45]"))
    }
}

@Suite struct DnsmasqImportFormTests {
    @Test func acceptsCommandLineStyleOptions() {
        let result = convert("--dhcp-host=b8:27:eb:00:00:01,10.42.0.1,node01\n--enable-tftp\n")
        #expect(result.nodes.map(\.id) == [1])
        #expect(result.configHints.map(\.kind) == [.builtIn])
    }

    /// Found by the dnsmasq fuzz target: an all-digit name was imported, and the node map
    /// then refused the line it wrote. The importer now applies the map's own name rule.
    @Test func anAllDigitNameIsReportedNotImported() {
        let result = convert("dhcp-host=b8:27:eb:00:00:43,10.42.0.43,2.CLUSTER,infinite\n")
        #expect(result.nodes.isEmpty)
        #expect(result.unconverted.first?.reason.contains("all digits") == true, "\(result.unconverted)")
    }

    @Test func readsWindowsLineEndings() {
        let result = convert("# hub\r\ndhcp-host=b8:27:eb:00:00:01,10.42.0.1,node01\r\n\r\nlaptop,10.42.0.9\r\nno-ping\r\n")
        #expect(result.nodes == [ImportedNode(line: 2, id: 1, mac: mac("b8:27:eb:00:00:01"), name: "node01", disabled: false)])
        #expect(result.commentOrBlankLines == [1, 3])
        #expect(result.unconverted.map(\.text) == ["laptop,10.42.0.9"])
        #expect(result.configHints.map(\.text) == ["no-ping"])
    }

    @Test func opensCommentsOnlyAfterWhitespaceAndOutsideQuotes() {
        let result = convert("""
            dhcp-host=b8:27:eb:00:00:01,10.42.0.1,node#1
            pxe-service=0,"Pi #1" # menu
            dhcp-host=b8:27:eb:00:00:03,10.42.0.3,"node #3"
            """)
        expectUnconverted(result.unconverted, [(1, ["'node#1'", "'#'"]), (3, ["'node #3'", "' '"])])
        #expect(result.configHints.map(\.line) == [2])
    }

    @Test func acceptsHardwareTypeOneAndRejectsOthers() {
        let result = convert("""
            dhcp-host=01-b8:27:eb:00:00:01,10.42.0.1
            dhcp-host=06-00:20:e0:3b:13:af,10.42.0.2
            dhcp-host=01:00:5e:00:00:01,10.42.0.3
            dhcp-host=01-b8-27-eb-00-00-04,10.42.0.4
            """)
        #expect(result.nodes.map(\.id) == [1, 4])
        expectUnconverted(result.unconverted, [(2, ["hardware type 06", "not Ethernet"]), (3, ["multicast"])])
    }

    @Test func dropsTheDomainTheFileSetsToo() {
        let result = convert("dhcp-host=b8:27:eb:00:00:03,10.42.0.3,node03.home.\ndomain=home,10.42.0.0/24\n")
        #expect(result.nodes.first?.name == "node03")
        #expect(result.configHints.map(\.kind) == [.setting(key: "domain", value: "home")])
    }

    @Test func checksNameLengthAndCount() {
        let longest = String(repeating: "a", count: 63)
        let result = convert("""
            b8:27:eb:00:00:01,10.42.0.1,\(longest)
            b8:27:eb:00:00:02,10.42.0.2,\(longest)b
            b8:27:eb:00:00:03,10.42.0.3,node03,hub
            b8:27:eb:00:00:04,10.42.0.4,10.42.0.5
            b8:27:eb:00:00:05,10.42.0.300
            """)
        #expect(result.nodes.map(\.name) == [longest])
        expectUnconverted(result.unconverted, [
            (2, ["longer than 63"]), (3, ["several host names"]), (4, ["several IPv4 addresses"]), (5, ["'10.42.0.300'", "not an IPv4"]),
        ])
    }

    @Test func keepsTheFirstOfTwoEntriesForOneNode() {
        let result = convert("b8:27:eb:00:00:01,10.42.0.1,node01\nb8:27:eb:00:00:02,10.42.0.2,NODE01\n")
        expectUnconverted(result.unconverted, [(2, ["duplicate name 'NODE01'", "line 1"])])
    }
}

@Suite struct DnsmasqImportOptionTests {
    private func hint(_ line: String) -> ConfigHint? {
        convert(line).configHints.first
    }

    @Test func turnsADynamicRangeIntoAPool() {
        let found = hint("dhcp-range=set:lan,10.42.0.100,10.42.0.199,255.255.255.0,12h")
        #expect(found?.kind == .setting(key: "pool", value: "10.42.0.100-10.42.0.199"))
        #expect(found?.advice.contains("`lease-time`") == true)
        #expect(found?.advice.contains("12h") == true)
    }

    @Test func turnsProxyDHCPAndDNSOffIntoTheirKeys() {
        #expect(hint("dhcp-range=10.42.0.0,proxy")?.kind == .setting(key: "dhcp-mode", value: "proxy"))
        #expect(hint("port=0")?.kind == .setting(key: "dns", value: "off"))
        #expect(hint("port=5353")?.kind == .unsupported)
    }

    @Test(arguments: [
        ("dhcp-range=192.168.1.100,192.168.1.199,12h", "not a range of host addresses"),
        ("dhcp-range=::,constructor:eth0,ra-only", "DHCPv4"),
        ("server=/corp.example/10.0.0.1", "same upstream servers"),
        ("cache-size=1000", "not supported by bramble; not imported"),
    ])
    func reportsOptionsItCannotKeep(line: String, words: String) {
        let found = hint(line)
        #expect(found?.kind == .unsupported)
        #expect(found?.advice.contains(words) == true, "\(found?.advice ?? "no hint")")
    }

    @Test(arguments: [
        ("listen-address=127.0.0.1,10.42.0.250", ConfigHint.Kind.setting(key: "address", value: "10.42.0.250/24")),
        ("tftp-root=/srv/tftp/", .setting(key: "pxe", value: "/srv")),
        ("server=192.0.2.53#5353@eth1", .setting(key: "upstream", value: "192.0.2.53:5353")),
        ("conf-dir=/etc/dnsmasq.d,*.conf", .importAlso(path: "/etc/dnsmasq.d")),
        ("read-ethers", .importAlso(path: "/etc/ethers")),
        ("addn-hosts=/etc/cluster-hosts", .importAlso(path: "/etc/cluster-hosts")),
        ("dhcp-authoritative", .unsupported),
    ])
    func mapsOptionsToSettings(line: String, kind: ConfigHint.Kind) {
        #expect(hint(line)?.kind == kind)
    }

    @Test func tellsToMoveATftpRootNotNamedBoot() {
        #expect(hint("tftp-root=/srv/tftp")?.advice.contains("from /srv/tftp to /srv/boot") == true)
    }
}

@Suite struct DnsmasqImportPropertyTests {
    /// Lines as a random file would hold them, so the check does not depend on how the
    /// importer counts lines.
    private func physicalLineCount(_ text: String) -> Int {
        let newlines = text.utf8.filter { $0 == UInt8(ascii: "\n") }.count
        return newlines + (text.utf8.isEmpty || text.utf8.last == UInt8(ascii: "\n") ? 0 : 1)
    }

    private func expectEveryLineAccountedOnce(_ text: String) {
        let result = convert(text)
        let lines = result.nodes.map(\.line) + result.unconverted.map(\.line) + result.configHints.map(\.line)
            + result.commentOrBlankLines
        let count = physicalLineCount(text)
        #expect(result.lineCount == count)
        #expect(lines.sorted() == Array(0..<count).map { $0 + 1 }, "\(text.debugDescription)")
        let nodeLines = Set(result.nodes.map(\.line))
        #expect(result.notes.allSatisfy { nodeLines.contains($0.line) })
        #expect(Set(result.nodes.map(\.mac)).count == result.nodes.count)
        #expect(Set(result.nodes.map(\.id)).count == result.nodes.count)
    }

    @Test func randomBytesNeverCrashAndEveryLineIsAccountedFor() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...200)) { bytes in
            expectEveryLineAccountedOnce(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Lines built from the pieces real configurations are made of reach the deeper checks
    /// (duplicates, subnets, names) that random bytes almost never do.
    @Test func dnsmasqLikeLinesAreEachAccountedForOnce() async {
        let pieces = [
            "dhcp-host=", "--", "b8:27:eb:00:00:0", "B8-27-EB-00-00-0", "1", "2", "*", ",", " ", "\t", "10.42.0.",
            "192.168.1.", "255", "0", "node0", ".cluster", "ignore", "set:pi4", "tag:pxe", "id:", "[::1]", "infinite",
            "12h", "#", "\"", "=", "dhcp-range=", "static", "proxy", "tftp-root=/pxe/boot", "server=", "enable-tftp",
            "domain=", "06-", "\r", "é", "\u{301}",
        ]
        let line = Gen.element(of: pieces).array(of: 0...10).map { $0.compactMap { $0 }.joined() }
        await propertyCheck(input: line.array(of: 0...30)) { lines in
            expectEveryLineAccountedOnce(lines.joined(separator: "\n"))
        }
    }
}
