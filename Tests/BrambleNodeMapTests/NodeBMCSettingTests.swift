import BrambleNodeMap
import Testing

/// `bmc=NN`: the node's ID on the Edge Rack BMC's bus, two hexadecimal digits.
@Suite struct NodeBMCSettingTests {
    @Test func readAndWrittenAsTheBMCPrintsIt() throws {
        let map = try validMap("9 b8:27:eb:00:00:09 bmc=0A\n10 b8:27:eb:00:00:0a\n")
        let node = try #require(map.node(id: 9))
        #expect(node.settings.bmc == 0x0a)
        #expect(node.tokens == ["9", "b8:27:eb:00:00:09", "bmc=0a"])
        #expect(map.node(id: 10)?.settings.bmc == nil, "no setting: the bay's ID is used")
        var settings = node.settings
        let known = settings.unset("bmc")
        #expect(known)
        #expect(settings.bmc == nil && settings.isEmpty)
    }

    @Test(arguments: [
        ("bmc=1", "a BMC ID is two hexadecimal digits"),
        ("bmc=0g", "a BMC ID is two hexadecimal digits"),
        ("bmc=100", "a BMC ID is two hexadecimal digits"),
        ("bmc=", "bmc= needs the node's BMC ID"),
        ("bmc", "bmc= needs the node's BMC ID"),
        ("bmc=01 bmc=02", "setting 'bmc' appears twice"),
    ])
    func refused(setting: String, expected: String) throws {
        let found = diagnostics(of: "1 b8:27:eb:00:00:01 \(setting)\n")
        try #require(found.count == 1, "\(found)")
        #expect(found[0].description.contains(expected), "\(found[0])")
    }
}

/// `bmc-poll`: how often `bramble web` reads the BMC; off unless set.
@Suite struct BMCPollIntervalTests {
    @Test func writtenAsSecondsOrMinutes() throws {
        #expect(try BMCPollInterval(parsing: "off") == .off)
        #expect(try BMCPollInterval(parsing: "10") == .every(seconds: 10))
        #expect(try BMCPollInterval(parsing: "10s") == .every(seconds: 10))
        #expect(try BMCPollInterval(parsing: "1m") == .every(seconds: 60))
        #expect(try BMCPollInterval(parsing: "3600") == .every(seconds: 3600))
        #expect(BrambleConfig.defaults.bmcPoll == .off)
    }

    @Test(arguments: ["", "0", "3601", "61m", "-5", "10h", "ten", "1.5", "99999999999999999999"])
    func refused(text: String) {
        #expect(throws: InvalidConfigValue.self) { try BMCPollInterval(parsing: text) }
    }
}
