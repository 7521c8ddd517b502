import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct ConfigValueTests {
    @Test func leaseDurationReadsBackInItsLargestWholeUnit() throws {
        #expect(try LeaseDuration(parsing: "43200").description == "12h")
        #expect(try LeaseDuration(parsing: "150").description == "150s")
        #expect(try LeaseDuration(parsing: "180").description == "3m")
        #expect(try LeaseDuration(parsing: "2d").description == "2d")
        #expect(throws: InvalidConfigValue.self) { try LeaseDuration(parsing: "-5m") }
        #expect(throws: InvalidConfigValue.self) { try LeaseDuration(parsing: "99999999999") }
    }

    @Test func upstreamDefaultsToPort53() throws {
        let upstream = try UpstreamServer(parsing: "192.0.2.1")
        #expect(upstream.port == 53)
        #expect(try UpstreamServer(parsing: "192.0.2.1:53").description == "192.0.2.1")
        #expect(throws: InvalidConfigValue.self) { try UpstreamServer(parsing: "192.0.2.1:53:1") }
        #expect(throws: InvalidConfigValue.self) { try UpstreamServer(parsing: "192.0.2.1:+53") }
    }

    @Test func domainNamesAreLowercasedAndBounded() throws {
        #expect(try DomainName(parsing: "Rack-1.LAB").name == "rack-1.lab")
        let longest = Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".")
        #expect(throws: InvalidConfigValue.self) { try DomainName(parsing: longest) }
        #expect(throws: InvalidConfigValue.self) { try DomainName(parsing: ".") }
        #expect(throws: InvalidConfigValue.self) { try DomainName(parsing: "café") }
    }

    @Test func poolMembership() throws {
        let pool = try AddressPool(parsing: "10.42.0.100-10.42.0.199")
        #expect(pool.contains(IPv4Address(10, 42, 0, 100)))
        #expect(pool.contains(IPv4Address(10, 42, 0, 199)))
        #expect(!pool.contains(IPv4Address(10, 42, 0, 200)))
        #expect(pool.size == 100)
    }

    @Test func logLevelsAreOrderedBySeverity() {
        #expect(LogLevel.trace < LogLevel.info)
        #expect(LogLevel.error < LogLevel.critical)
        #expect(!(LogLevel.notice < LogLevel.debug))
    }

    @Test func pathsJoinWithoutNormalising() {
        #expect(ConfigPath.directory(of: "/etc/bramble/bramble.conf") == "/etc/bramble")
        #expect(ConfigPath.directory(of: "/bramble.conf") == "/")
        #expect(ConfigPath.directory(of: "bramble.conf") == nil)
        #expect(ConfigPath.directory(of: "etc/bramble.conf") == "etc")
        #expect(ConfigPath.resolve("../pxe", relativeTo: "/etc/bramble") == "/etc/bramble/../pxe")
        #expect(ConfigPath.resolve("nodes", relativeTo: "/") == "/nodes")
        #expect(ConfigPath.resolve("/abs", relativeTo: "/etc") == "/abs")
        #expect(ConfigPath.resolve("rel", relativeTo: nil) == "rel")
    }

    @Test func everyOverridableKeyHasItsFlag() {
        #expect(ConfigKey.stateDirectory.flag == "--state-dir")
        #expect(ConfigKey.address.flag == "--address")
    }
}
