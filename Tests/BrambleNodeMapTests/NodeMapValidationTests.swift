import BrambleNodeMap
import BrambleWire
import Testing

/// Every validation error kind, each with the line it must be reported on.
@Suite struct NodeMapValidationTests {
    @Test(arguments: [
        ("1 b8:27:eb:12:34\n", "'b8:27:eb:12:34' is not a MAC address: a MAC address has 6 octets"),
        ("1 b8:27:eb:12:34:zz\n", "'zz' is not a hexadecimal octet"),
        ("1 b8:27:eb:12:XY:XX\n", "'XY' is neither a hexadecimal octet nor the placeholder XX"),
        ("1 01:00:5e:00:00:01\n", "is a multicast MAC"),
        ("1 ff:ff:ff:ff:ff:ff\n", "is the broadcast address"),
        ("1 00:00:00:00:00:00\n", "00:00:00:00:00:00 is not a node's MAC"),
        ("x1 b8:27:eb:00:00:01\n", "'x1' is not a node ID"),
        ("7\n", "node 7 has no MAC address"),
        ("0 b8:27:eb:00:00:01\n", "ID 0 is outside 1-254"),
        ("255 b8:27:eb:00:00:01\n", "ID 255 is outside 1-254"),
        ("1 b8:27:eb:00:00:01 node_1\n", "'node_1' is not a valid host name (RFC 1123): '_' is not allowed"),
        ("1 b8:27:eb:00:00:01 -node\n", "cannot start or end with '-'"),
        ("1 b8:27:eb:00:00:01 node1.cluster\n", "single label without dots"),
        ("1 b8:27:eb:00:00:01 \(String(repeating: "a", count: 64))\n", "at most 63 characters"),
        ("1 b8:27:eb:00:00:01 1234\n", "cannot be all digits"),
        ("1 b8:27:eb:00:00:01 rooot=/x\n", "unknown setting 'rooot'; known settings: root="),
        ("1 b8:27:eb:00:00:01 n1 fast\n", "unknown setting 'fast'"),
        ("1 b8:27:eb:00:00:01 root=pxe/root\n", "must be absolute"),
        ("1 b8:27:eb:00:00:01 root=hub:/pxe/root\n", "'hub' is not an IPv4 address"),
        ("1 b8:27:eb:00:00:01 serial=123\n", "8 hexadecimal digits"),
        ("1 b8:27:eb:00:00:01 disabled=yes\n", "'disabled' is a flag"),
        ("1 b8:27:eb:00:00:01 disabled disabled\n", "setting 'disabled' appears twice"),
    ])
    func singleLineProblems(text: String, expected: String) throws {
        let found = diagnostics(of: "# header comment\n" + text)
        try #require(found.count == 1, "\(found)")
        #expect(found[0].line == 2)
        #expect(found[0].description.hasPrefix("nodes:2: "))
        #expect(found[0].description.contains(expected), "\(found[0])")
    }

    @Test func duplicatesNameTheFirstLine() {
        let found = diagnostics(of: """
            1 b8:27:eb:00:00:01
            2 b8:27:eb:00:00:01
            1 b8:27:eb:00:00:03
            4 b8:27:eb:00:00:04 NODE01
            """)
        #expect(found.map(\.line) == [2, 3, 4])
        #expect(found[0].description == "nodes:2: MAC b8:27:eb:00:00:01 is already node 1's (line 1); each Pi appears once")
        #expect(found[1].description == "nodes:3: ID 1 is already used on line 1; each bay appears once")
        #expect(found[2].description == "nodes:4: name 'NODE01' is already node 1's (line 1); names must be unique")
    }

    @Test func placeholdersAreNeverDuplicates() throws {
        let map = try validMap("1 b8:27:eb:XX:XX:XX\n2 b8:27:eb:xx:xx:xx\n")
        #expect(map.nodes.count == 2)
    }

    @Test func idsFollowTheSubnet() {
        let small = IPv4Interface("10.42.0.62/26")!.subnet
        #expect(throws: NodeMapInvalid.self) { try NodeMap(parsing: "63 b8:27:eb:00:00:01\n", fileName: "n", subnet: small) }
        let wide = IPv4Interface("10.42.0.250/16")!.subnet
        #expect(throws: Never.self) { try NodeMap(parsing: "3000 b8:27:eb:00:00:01\n", fileName: "n", subnet: wide) }
    }

    @Test func everyProblemIsReportedAtOnceInLineOrder() {
        let found = diagnostics(of: """
            1 b8:27:eb:00:00:01
            1 zz:27:eb:00:00:02 bad_name colour=red
            300 b8:27:eb:00:00:03
            4 b8:27:eb:00:00:01
            """)
        #expect(found.map(\.line) == [2, 2, 2, 3, 4])
    }
}
