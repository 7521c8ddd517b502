import BrambleNodeMap
import BrambleWire
import Testing

/// `dhcp-mode` and `dns`: the proxyDHCP keys.
@Suite struct ConfigDHCPModeTests {
    @Test func theDefaultIsTheFullServerWithDNS() throws {
        let config = try parsedConfig("")
        #expect(config.dhcpMode == .server && config.dns == .on)
    }

    @Test func proxyModeAndDNSOffParse() throws {
        let config = try parsedConfig("dhcp-mode = proxy\ndns = off\n")
        #expect(config.dhcpMode == .proxy && config.dns == .off)
        #expect(try parsedConfig("dhcp-mode = Server").dhcpMode == .server)
    }

    @Test func badValuesSayWhatToWrite() {
        #expect(configProblems("dhcp-mode = relay") == [
            "/etc/bramble/bramble.conf:1: dhcp-mode: 'relay' is not a DHCP mode: use server (bramble assigns addresses) or proxy (another DHCP server does; bramble sends only boot options)",
        ])
        #expect(configProblems("dns = yes") == [
            "/etc/bramble/bramble.conf:1: dns: 'yes' is not on or off: write dns = on to serve the cluster's names, dns = off to bind no DNS socket",
        ])
    }

    @Test func aPoolInProxyModeIsAnError() {
        #expect(configProblems("dhcp-mode = proxy\npool = 10.42.0.100-10.42.0.199\n") == [
            "/etc/bramble/bramble.conf:2: pool 10.42.0.100-10.42.0.199 is for dhcp-mode = server: in proxy mode the network's own DHCP server assigns every address; remove the pool line or set dhcp-mode = server",
        ])
    }

    @Test func assignedAddressesReplaceTheIDRule() throws {
        let subnet = IPv4Interface("10.42.0.250/24")!.subnet
        let map = try NodeMap(parsing: "5 b8:27:eb:00:00:05\n6 b8:27:eb:00:00:06\n", fileName: "nodes", subnet: subnet)
        let five = try #require(map.node(id: 5)), six = try #require(map.node(id: 6))
        #expect(map.node(address: IPv4Address(10, 42, 0, 5))?.id == 5, "server mode: subnet base + ID")
        var assigned = AssignedAddresses()
        let changed = assigned.assign(IPv4Address(10, 42, 0, 117), toNode: 5)
        let changedAgain = assigned.assign(IPv4Address(10, 42, 0, 117), toNode: 5)
        #expect(changed && !changedAgain, "the second is no change")
        let proxied = map.addressed(by: assigned)
        #expect(proxied.node(address: IPv4Address(10, 42, 0, 117))?.id == 5)
        #expect(proxied.node(address: IPv4Address(10, 42, 0, 5)) == nil, "the ID rule no longer applies")
        #expect(proxied.knownAddress(of: five) == IPv4Address(10, 42, 0, 117))
        #expect(proxied.knownAddress(of: six) == nil, "not seen yet: no guess")
        // The router gave .117 to node 6 since: node 5 loses it.
        assigned.assign(IPv4Address(10, 42, 0, 117), toNode: 6)
        let moved = map.addressed(by: assigned)
        #expect(moved.node(address: IPv4Address(10, 42, 0, 117))?.id == 6)
        #expect(moved.knownAddress(of: five) == nil)
        #expect(assigned.count == 1)
        // A reload without node 6 finds no node at its address.
        let smaller = try NodeMap(parsing: "5 b8:27:eb:00:00:05\n", fileName: "nodes", subnet: subnet).addressed(by: assigned)
        #expect(smaller.node(address: IPv4Address(10, 42, 0, 117)) == nil)
        // A reload that gives ID 6 to another machine drops the address; node 5's stays.
        assigned.assign(IPv4Address(10, 42, 0, 105), toNode: 5)
        let reenrolled = try NodeMap(parsing: "5 b8:27:eb:00:00:05\n6 b8:27:eb:00:00:66\n", fileName: "nodes", subnet: subnet)
        let kept = assigned.keeping(nodesOf: reenrolled, unchangedFrom: map)
        #expect(kept.address(ofNode: 5) == IPv4Address(10, 42, 0, 105))
        #expect(kept.address(ofNode: 6) == nil && kept.count == 1)
    }
}
