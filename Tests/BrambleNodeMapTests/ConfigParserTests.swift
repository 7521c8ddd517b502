import BrambleNodeMap
import BrambleWire
import Glibc
import Testing

/// Parses `text` as if read from `file` and returns the finished configuration.
private func config(_ text: String, file: String = "/etc/bramble/bramble.conf") throws(ConfigError) -> BrambleConfig {
    try ConfigParser.parse(text, file: file).validated()
}

/// The rendered diagnostics for `text`, or an empty list when it is valid.
private func problems(_ text: String, file: String = "b.conf", overrides: ConfigOverrides = ConfigOverrides()) -> [String] {
    do throws(ConfigError) {
        _ = try ConfigParser.parse(text, file: file).applying(overrides).validated()
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

@Suite struct ConfigParserTests {
    @Test func emptyFileGivesTheDefaults() throws {
        let parsed = try config("")
        #expect(parsed == BrambleConfig.defaults)
        #expect(parsed.interface.name == "eth0")
        #expect(parsed.address.description == "10.42.0.250/24")
        #expect(parsed.domain.name == "cluster")
        #expect(parsed.nodesPath == "/etc/bramble/nodes")
        #expect(parsed.pxeDirectory == "/pxe")
        #expect(parsed.bootDirectory == "/pxe/boot")
        #expect(parsed.rootDirectory == "/pxe/root")
        #expect(parsed.stateDirectory == "/var/lib/bramble")
        #expect(parsed.upstreams.isEmpty)
        #expect(parsed.leaseTime.seconds == 43200)
        #expect(parsed.pool == nil)
        #expect(parsed.logLevel == .info)
        #expect(parsed.logFile == nil)
    }

    @Test func builtInDefaultsWithoutAFileMatchTheDefaults() throws {
        #expect(try ConfigDraft.builtInDefaults.validated() == BrambleConfig.defaults)
    }

    @Test func readsEveryKey() throws {
        let parsed = try config("""
            interface = enp1s0
            address = 10.50.0.1/16
            domain = Rack.Example
            nodes = /srv/nodes
            pxe = /srv/pxe
            state-dir = /srv/state
            upstream = 192.0.2.1
            lease-time = 30m
            pool = 10.50.1.0-10.50.1.255
            log-level = debug
            log-file = /var/log/bramble.log
            """)
        #expect(parsed.interface.name == "enp1s0")
        #expect(parsed.address == IPv4Interface("10.50.0.1/16"))
        #expect(parsed.domain.name == "rack.example")
        #expect(parsed.nodesPath == "/srv/nodes")
        #expect(parsed.pxeDirectory == "/srv/pxe")
        #expect(parsed.stateDirectory == "/srv/state")
        #expect(parsed.upstreams == [UpstreamServer(address: IPv4Address(192, 0, 2, 1))])
        #expect(parsed.leaseTime.seconds == 1800)
        #expect(parsed.pool?.description == "10.50.1.0-10.50.1.255")
        #expect(parsed.logLevel == .debug)
        #expect(parsed.logFile == "/var/log/bramble.log")
    }

    @Test func relativePathsResolveAgainstTheConfigFilesDirectory() throws {
        let text = "nodes = nodes\npxe = ../pxe\nstate-dir = state\nlog-file = logs/b.log\n"
        let parsed = try config(text, file: "/home/op/bramble/etc/bramble.conf")
        #expect(parsed.nodesPath == "/home/op/bramble/etc/nodes")
        #expect(parsed.pxeDirectory == "/home/op/bramble/etc/../pxe")
        #expect(parsed.stateDirectory == "/home/op/bramble/etc/state")
        #expect(parsed.logFile == "/home/op/bramble/etc/logs/b.log")
        #expect(try config("nodes = nodes", file: "/b.conf").nodesPath == "/nodes")
        #expect(try config("nodes = nodes", file: "b.conf").nodesPath == "nodes")
        #expect(try config("nodes = /etc/n", file: "/x/b.conf").nodesPath == "/etc/n")
    }

    @Test func commentsQuotesAndSpacing() throws {
        let parsed = try config("""
            # a whole-line comment
                # an indented one

            interface=eth1   # trailing comment
            log-file = "/var/log/with # hash.log"   # and a comment after the quotes
            domain =   "lab"
            """)
        #expect(parsed.interface.name == "eth1")
        #expect(parsed.logFile == "/var/log/with # hash.log")
        #expect(parsed.domain.name == "lab")
    }

    @Test func windowsLineEndingsAndAByteOrderMarkAreAccepted() throws {
        let parsed = try config("\u{FEFF}interface = eth1\r\nlog-level = error\r\n")
        #expect(parsed.interface.name == "eth1")
        #expect(parsed.logLevel == .error)
        #expect(problems("interface = eth1\r\nbogus = 1\r\n") == [
            "b.conf:2: unknown key 'bogus'; known keys: interface, address, domain, nodes, pxe, state-dir, upstream, lease-time, pool, log-level, log-file, pxe-boot-file, ipxe-boot-file, pi3b-reply-delay, pi-boot-menu, tftp-max-transfers, tftp-max-per-client, netconsole-port, dhcp-mode, dns, roots-keep, exports-file, bmc-device, bmc-poll, web-listen, web-user, web-password-file",
        ])
    }

    @Test func upstreamIsRepeatableAndKeepsItsOrder() throws {
        let parsed = try config("upstream = 192.0.2.9\nupstream = 192.0.2.1:5353\nupstream = 198.51.100.7\n")
        #expect(parsed.upstreams.map(\.description) == ["192.0.2.9", "192.0.2.1:5353", "198.51.100.7"])
        #expect(parsed.upstreams[1].port == 5353)
    }

    @Test func emptyLogFileMeansStandardErrorAndPoolOffMeansNone() throws {
        let parsed = try config("log-file =\npool = off\n")
        #expect(parsed.logFile == nil)
        #expect(parsed.pool == nil)
    }

    @Test func unknownKeysSuggestTheNearestKeyOrTheDnsmasqEquivalent() {
        #expect(problems("\ninterfce = eth0") == ["b.conf:2: unknown key 'interfce' (did you mean 'interface'?)"])
        #expect(problems("Lease_Time = 1h") == ["b.conf:1: unknown key 'Lease_Time' (did you mean 'lease-time'?)"])
        #expect(problems("stat-dir = /x") == ["b.conf:1: unknown key 'stat-dir' (did you mean 'state-dir'?)"])
        // Keys two letters shorter or longer are still compared; three are not (the edit
        // distance is at least the difference in length, so a long line skips every key).
        #expect(problems("interfa = eth0") == ["b.conf:1: unknown key 'interfa' (did you mean 'interface'?)"])
        #expect(problems("interfacexy = eth0") == ["b.conf:1: unknown key 'interfacexy' (did you mean 'interface'?)"])
        #expect(problems("interfacexyz = eth0").first?.contains("did you mean") == false)
        #expect(problems("dhcp-range = 10.42.0.1,static") == [
            "b.conf:1: unknown key 'dhcp-range' (bramble's equivalent is 'pool': FIRST-LAST, or off)",
        ])
        #expect(problems("enable-tftp = yes").first?.hasPrefix("b.conf:1: unknown key 'enable-tftp'; known keys: interface,") == true)
    }

    @Test func keySetTwiceNamesTheFirstLine() {
        #expect(problems("interface = eth0\n\ninterface = eth1\n") == [
            "b.conf:3: 'interface' is already set at line 1; remove one of the two",
        ])
        #expect(problems("lease-time = 1s\nlease-time = 1h\n").last == "b.conf:2: 'lease-time' is already set at line 1; remove one of the two")
    }

    @Test func linesWithoutAnEqualsSign() {
        #expect(problems("pool 10.42.0.100-10.42.0.199") == ["b.conf:1: missing '=' after 'pool': write 'pool = VALUE'"])
        #expect(problems("x\nhello world # = not a value") == [
            "b.conf:1: 'x' is not a setting: write 'key = value' (a '#' starts a comment)",
            "b.conf:2: 'hello world' is not a setting: write 'key = value' (a '#' starts a comment)",
        ])
        #expect(problems("  = eth0") == ["b.conf:1: missing key before '=': write 'key = value'"])
    }

    @Test func quotingMistakes() {
        #expect(problems("log-file = \"/var/log/b.log") == [
            "b.conf:1: 'log-file': the value's opening '\"' has no closing '\"'",
        ])
        #expect(problems("domain = \"lab\" extra") == [
            "b.conf:1: 'domain': unexpected 'extra' after the closing '\"': quote the whole value or start a comment with '#'",
        ])
    }

    @Test func missingValue() {
        #expect(problems("interface =") == [
            "b.conf:1: interface: no value after '=': write 'interface = VALUE' or remove the line to keep the default",
        ])
        #expect(problems("nodes = \"\"").count == 1)
    }

    @Test(arguments: [
        ("interface = eth0/1", "b.conf:1: interface: 'eth0/1' is not an interface name: names hold no '/' or spaces (see `ip link`)"),
        ("interface = \"eth 0\"", "b.conf:1: interface: 'eth 0' is not an interface name: names hold no '/' or spaces (see `ip link`)"),
        ("interface = averyveryverylongname", "b.conf:1: interface: 'averyveryverylongname' is longer than 15 characters, the kernel's limit for interface names"),
        ("address = 10.42.0.250", "b.conf:1: address: '10.42.0.250' has no prefix length: write it as 10.42.0.250/24 (or the cluster's prefix)"),
        ("address = hub", "b.conf:1: address: 'hub' is not an address with a prefix length, like 10.42.0.250/24"),
        ("address = 10.42.0.250/31", "b.conf:1: address: '10.42.0.250/31': a /31 subnet leaves no addresses for nodes; use a prefix of 30 or less, like /24"),
        ("address = 10.42.0.0/24", "b.conf:1: address: '10.42.0.0/24': 10.42.0.0 is the network address of 10.42.0.0/24, not a host address the hub can use"),
        ("address = 10.42.0.255/24", "b.conf:1: address: '10.42.0.255/24': 10.42.0.255 is the broadcast address of 10.42.0.0/24, not a host address the hub can use"),
        ("domain = my_cluster", "b.conf:1: domain: 'my_cluster' contains '_': a domain name holds letters, digits, hyphens and dots only"),
        ("domain = -rack", "b.conf:1: domain: '-rack': the label '-rack' starts or ends with a hyphen, which DNS does not allow"),
        ("domain = rack..lab", "b.conf:1: domain: 'rack..lab' has an empty label: labels are separated by single dots"),
        ("domain = \(String(repeating: "a", count: 64))", "b.conf:1: domain: '\(String(repeating: "a", count: 64))': the label '\(String(repeating: "a", count: 64))' is longer than the 63 characters DNS allows"),
        ("upstream = dns.example", "b.conf:1: upstream: 'dns.example' is not an upstream resolver: write an IPv4 address, optionally with :PORT"),
        ("upstream = 192.0.2.1:0", "b.conf:1: upstream: '192.0.2.1:0' has a bad port: write a number from 1 to 65535 after the ':'"),
        ("upstream = 192.0.2.1:70000", "b.conf:1: upstream: '192.0.2.1:70000' has a bad port: write a number from 1 to 65535 after the ':'"),
        ("upstream = 0.0.0.0", "b.conf:1: upstream: '0.0.0.0' cannot be a resolver's address"),
        ("lease-time = 12 hours", "b.conf:1: lease-time: '12 hours' is not a duration: write seconds, or a number with s, m, h or d, like 12h"),
        ("lease-time = 90s", "b.conf:1: lease-time: 90 seconds is shorter than the minimum of 2m: clients would renew constantly"),
        ("lease-time = 1m", "b.conf:1: lease-time: 60 seconds is shorter than the minimum of 2m: clients would renew constantly"),
        ("lease-time = 50000d", "b.conf:1: lease-time: '50000d' is longer than DHCP can carry (at most 4294967294 seconds)"),
        ("lease-time = h", "b.conf:1: lease-time: 'h' is not a duration: write seconds, or a number with s, m, h or d, like 12h"),
        ("pool = 10.42.0.100", "b.conf:1: pool: '10.42.0.100' is not a pool: write FIRST-LAST, like 10.42.0.100-10.42.0.199, or off"),
        ("pool = 10.42.0.199-10.42.0.100", "b.conf:1: pool: pool 10.42.0.199-10.42.0.100 ends before it starts: write the lower address first"),
        ("log-level = verbose", "b.conf:1: log-level: 'verbose' is not a log level: use one of trace, debug, info, notice, warning, error, critical"),
    ])
    func badValuesAreReportedAtTheirLine(line: String, expected: String) {
        #expect(problems(line) == [expected])
    }

    @Test func goodValueSpellings() throws {
        #expect(try config("lease-time = 120").leaseTime.seconds == 120)
        #expect(try config("lease-time = 2m").leaseTime.description == "2m")
        #expect(try config("lease-time = 1d").leaseTime.seconds == 86400)
        #expect(try config("domain = cluster.").domain.name == "cluster")
        #expect(try config("log-level = WARNING").logLevel == .warning)
        #expect(try config("pool = 10.42.0.100 - 10.42.0.100").pool?.size == 1)
        #expect(try config("address = 10.42.0.1/30").subnet.description == "10.42.0.0/30")
    }

    @Test func everyProblemIsReportedAtOnceInLineOrder() {
        let text = """
            interface = eth0
            interfce = eth1
            address = 10.42.0.250
            lease-time = soon
            pool = 10.43.0.1-10.43.0.9
            interface = eth2
            just words
            """
        #expect(problems(text) == [
            "b.conf:2: unknown key 'interfce' (did you mean 'interface'?)",
            "b.conf:3: address: '10.42.0.250' has no prefix length: write it as 10.42.0.250/24 (or the cluster's prefix)",
            "b.conf:4: lease-time: 'soon' is not a duration: write seconds, or a number with s, m, h or d, like 12h",
            "b.conf:6: 'interface' is already set at line 1; remove one of the two",
            "b.conf:7: 'just words' is not a setting: write 'key = value' (a '#' starts a comment)",
        ])
    }

    @Test func poolMustLieInsideTheSubnetAndMissTheHub() throws {
        #expect(try config("pool = 10.42.0.100-10.42.0.199").pool?.size == 100)
        #expect(problems("address = 10.42.0.250/24\npool = 10.42.1.1-10.42.1.9") == [
            "b.conf:2: pool 10.42.1.1-10.42.1.9 is not inside the cluster subnet 10.42.0.0/24 (address 10.42.0.250/24, set at line 1): use addresses from 10.42.0.1 to 10.42.0.254",
        ])
        #expect(problems("pool = 10.42.0.0-10.42.0.9") == [
            "b.conf:1: pool 10.42.0.0-10.42.0.9 is not inside the cluster subnet 10.42.0.0/24 (address 10.42.0.250/24, the default): use addresses from 10.42.0.1 to 10.42.0.254",
        ])
        #expect(problems("pool = 10.42.0.200-10.42.0.254") == [
            "b.conf:1: pool 10.42.0.200-10.42.0.254 contains the hub's own address 10.42.0.250 (address 10.42.0.250/24, the default): end the pool before it or start it after it",
        ])
    }

    @Test func aRejectedAddressDoesNotAlsoBlameThePool() {
        #expect(problems("address = 10.43.0.1\npool = 10.43.0.10-10.43.0.20").count == 1)
    }

    @Test func upstreamMustNotBeTheHubItself() throws {
        #expect(problems("\nupstream = 10.42.0.250") == [
            "b.conf:2: upstream 10.42.0.250 is the hub itself (address 10.42.0.250/24, the default): bramble would forward queries to itself; name the resolvers the hub uses, or remove the line to use its resolv.conf",
        ])
        #expect(try config("upstream = 10.42.0.250:5353").upstreams.count == 1)
    }
}

@Suite struct ConfigOverrideTests {
    @Test func overridesBeatTheFile() throws {
        let text = """
            interface = eth0
            address = 10.42.0.250/24
            nodes = nodes
            pxe = /pxe
            state-dir = /var/lib/bramble
            domain = cluster
            upstream = 192.0.2.1
            upstream = 192.0.2.2
            """
        let overrides = ConfigOverrides(
            interface: try InterfaceName(parsing: "eth1"),
            address: IPv4Interface("10.9.0.1/24"),
            nodesPath: "/tmp/nodes",
            pxeDirectory: "/srv/pxe",
            stateDirectory: "/tmp/state",
            domain: try DomainName(parsing: "lab"),
            upstreams: [try UpstreamServer(parsing: "198.51.100.1:53"), try UpstreamServer(parsing: "198.51.100.2")]
        )
        let draft = ConfigParser.parse(text, file: "/etc/bramble/bramble.conf").applying(overrides)
        let merged = try draft.validated()
        #expect(merged.interface.name == "eth1")
        #expect(merged.address.description == "10.9.0.1/24")
        #expect(merged.nodesPath == "/tmp/nodes")
        #expect(merged.pxeDirectory == "/srv/pxe")
        #expect(merged.stateDirectory == "/tmp/state")
        #expect(merged.domain.name == "lab")
        #expect(merged.upstreams.map(\.description) == ["198.51.100.1", "198.51.100.2"])
        #expect(draft.location(of: .address) == .flag("--address"))
        #expect(draft.location(of: .leaseTime) == nil)
    }

    @Test func noOverridesKeepTheFile() throws {
        let merged = try ConfigParser.parse("upstream = 192.0.2.1\ndomain = lab", file: "b.conf").applying(ConfigOverrides()).validated()
        #expect(merged.upstreams.map(\.description) == ["192.0.2.1"])
        #expect(merged.domain.name == "lab")
    }

    @Test func anOverriddenAddressIsCheckedAgainstTheFilesPool() {
        let text = "# hub\npool = 10.42.0.100-10.42.0.199\n"
        #expect(problems(text, overrides: ConfigOverrides(address: IPv4Interface("10.43.0.250/24"))) == [
            "b.conf:2: pool 10.42.0.100-10.42.0.199 is not inside the cluster subnet 10.43.0.0/24 (address 10.43.0.250/24, from --address): use addresses from 10.43.0.1 to 10.43.0.254",
        ])
        #expect(problems(text, overrides: ConfigOverrides(address: IPv4Interface("10.42.0.150/24"))) == [
            "b.conf:2: pool 10.42.0.100-10.42.0.199 contains the hub's own address 10.42.0.150 (address 10.42.0.150/24, from --address): end the pool before it or start it after it",
        ])
    }

    @Test func anOverrideCanMakeTheFilesPoolValid() throws {
        let text = "address = 10.42.0.250/24\npool = 10.43.0.100-10.43.0.199\n"
        #expect(problems(text).count == 1)
        let merged = try ConfigParser.parse(text, file: "b.conf")
            .applying(ConfigOverrides(address: IPv4Interface("10.43.0.1/24"))).validated()
        #expect(merged.pool?.first == IPv4Address(10, 43, 0, 100))
    }

    @Test func anUpstreamFlagNamingTheHubIsReportedAtTheFlag() throws {
        let overrides = ConfigOverrides(upstreams: [try UpstreamServer(parsing: "10.42.0.250")])
        #expect(problems("", overrides: overrides) == [
            "--upstream: upstream 10.42.0.250 is the hub itself (address 10.42.0.250/24, the default): bramble would forward queries to itself; name the resolvers the hub uses, or remove the line to use its resolv.conf",
        ])
    }

    @Test func fileProblemsComeBeforeFlagProblems() throws {
        let overrides = ConfigOverrides(upstreams: [try UpstreamServer(parsing: "10.42.0.250")])
        let found = problems("bogus = 1", overrides: overrides)
        #expect(found.count == 2)
        #expect(found.first?.hasPrefix("b.conf:1: ") == true)
        #expect(found.last?.hasPrefix("--upstream: ") == true)
    }
}

@Suite struct SampleConfigTests {
    /// `etc/bramble.conf` in this checkout, found from this source file's own path.
    static let samplePath: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return (parts + ["etc", "bramble.conf"]).joined(separator: "/")
    }()

    @Test func theSampleConfigParsesClean() throws {
        let text = try #require(readWholeFile(Self.samplePath))
        let draft = ConfigParser.parse(text, file: Self.samplePath)
        #expect(draft.diagnostics.isEmpty, "\(draft.diagnostics)")
        let parsed = try draft.validated()
        let directory = try #require(ConfigPath.directory(of: Self.samplePath))
        #expect(parsed.nodesPath == directory + "/nodes")
        #expect(parsed.pxeDirectory == directory + "/../pxe")
        #expect(parsed.address == BrambleConfig.defaults.address)
    }

    @Test func theSampleMentionsEveryKey() throws {
        let text = try #require(readWholeFile(Self.samplePath))
        for key in ConfigKey.allCases {
            #expect(text.contains("\(key.rawValue) = "), "etc/bramble.conf does not show '\(key.rawValue)'")
        }
    }

    private func readWholeFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
