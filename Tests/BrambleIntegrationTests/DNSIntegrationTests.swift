import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// `bramble serve`'s DNS against dig, in namespaces the tests create and remove: a hub, a
/// node (10.42.0.5), and an upstream host running scripts/lib/tiny-dns.py, so forwarding
/// never reaches a real resolver.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct DNSIntegrationTests {
    static let nodes = """
        5   b8:27:eb:00:00:05
        6   b8:27:eb:00:00:06  web06
        """ + "\n"
    static let hubAddress = "10.42.0.250"
    static let upstreamAddress = "10.42.0.240"

    /// What dig saw: the status, the header flags and the answer records as
    /// `name type data` (TTL and class left out).
    struct Answer: CustomStringConvertible {
        var status = ""
        var flags: Set<String> = []
        var records: [String] = []
        var authority: [String] = []
        var output = ""
        var description: String { output }
    }

    /// A running lab: hub with bramble, node 5, the upstream.
    struct Cluster {
        let lab: NetworkLab
        let hub: String
        let node: String
        let upstream: String
        let server: ServerUnderTest
        let upstreamProcess: Process
    }

    /// - Parameter resolvConf: the hub's /etc/resolv.conf, through `ip netns exec`'s
    ///   /etc/netns/HUB/ (the caller removes that directory, ``hubResolvConfDirectory``).
    func cluster(config: String = "upstream = \(upstreamAddress)\n", resolvConf: String? = nil) throws -> Cluster {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "\(Self.hubAddress)/24")
        let node = try lab.addHost("n5", address: "10.42.0.5/24", mac: "b8:27:eb:00:00:05")
        let upstream = try lab.addHost("up", address: "\(Self.upstreamAddress)/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes, config: config)
        if let resolvConf {
            let directory = Self.hubResolvConfDirectory(hub)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try resolvConf.write(toFile: directory + "/resolv.conf", atomically: false, encoding: .utf8)
        }
        let upstreamProcess = try lab.startTinyDNS(in: upstream, address: Self.upstreamAddress, log: server.file("tiny-dns.log").path)
        try server.start()
        return Cluster(lab: lab, hub: hub, node: node, upstream: upstream, server: server, upstreamProcess: upstreamProcess)
    }

    static func hubResolvConfDirectory(_ hub: String) -> String { "/etc/netns/\(hub)" }

    /// `dig` from `host`, one try with a time limit, so a silent server fails the test
    /// within seconds instead of hanging it.
    func dig(_ lab: NetworkLab, from host: String, _ name: String, _ type: String = "A", tcp: Bool = false, server: String = hubAddress) throws -> Answer {
        var arguments = ["dig", "@\(server)", name, type, "+tries=1", "+time=4", "+noall", "+comments", "+answer", "+authority"]
        if tcp { arguments.append("+tcp") }
        let result = try lab.run(in: host, arguments, timeout: 15)
        var answer = Answer(output: result.output)
        var section = ""
        for line in result.output.split(separator: "\n").map(String.init) {
            if let range = line.range(of: "status: ") {
                answer.status = String(line[range.upperBound...].prefix { $0 != "," })
            } else if line.hasPrefix(";; flags: ") {
                let flags = line.dropFirst(";; flags: ".count).prefix { $0 != ";" }
                answer.flags = Set(flags.split(separator: " ").map(String.init))
            } else if line.hasPrefix(";; ") && line.hasSuffix("SECTION:") {
                section = line
            } else if !line.hasPrefix(";"), !line.isEmpty {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard fields.count >= 5 else { continue }
                let record = ([fields[0], fields[3]] + fields[4...]).joined(separator: " ")
                if section.contains("AUTHORITY") { answer.authority.append(record) } else { answer.records.append(record) }
            }
        }
        return answer
    }

    @Test func localNamesOverUDPAndTCP() throws {
        let cluster = try cluster()
        let lab = cluster.lab
        for tcp in [false, true] {
            let how = tcp ? "TCP" : "UDP"
            let a = try dig(lab, from: cluster.node, "node05.cluster", tcp: tcp)
            #expect(a.status == "NOERROR" && a.records == ["node05.cluster. A 10.42.0.5"], "\(how): \(a)")
            #expect(a.flags.contains("aa"), "\(how): authoritative: \(a)")
            let short = try dig(lab, from: cluster.node, "web06", tcp: tcp)
            #expect(short.records == ["web06. A 10.42.0.6"], "\(how): \(short)")
            let hub = try dig(lab, from: cluster.node, "hub.cluster", tcp: tcp)
            #expect(hub.records == ["hub.cluster. A 10.42.0.250"], "\(how): \(hub)")
            let ptr = try dig(lab, from: cluster.node, "5.0.42.10.in-addr.arpa", "PTR", tcp: tcp)
            #expect(ptr.records == ["5.0.42.10.in-addr.arpa. PTR node05.cluster."], "\(how): \(ptr)")
            let soa = try dig(lab, from: cluster.node, "cluster", "SOA", tcp: tcp)
            #expect(soa.records.first?.hasPrefix("cluster. SOA hub.cluster. hostmaster.cluster. ") == true, "\(how): \(soa)")
            let nodata = try dig(lab, from: cluster.node, "node05.cluster", "AAAA", tcp: tcp)
            #expect(nodata.status == "NOERROR" && nodata.records.isEmpty, "\(how): NODATA: \(nodata)")
            #expect(nodata.authority.first?.hasPrefix("cluster. SOA ") == true, "\(how): the SOA for negative caching: \(nodata)")
            let missing = try dig(lab, from: cluster.node, "nosuch.cluster", tcp: tcp)
            #expect(missing.status == "NXDOMAIN" && missing.records.isEmpty, "\(how): \(missing)")
            let noPTR = try dig(lab, from: cluster.node, "77.0.42.10.in-addr.arpa", "PTR", tcp: tcp)
            #expect(noPTR.status == "NXDOMAIN", "\(how): \(noPTR)")
        }
        let fromHub = try dig(lab, from: cluster.hub, "web06.cluster")
        #expect(fromHub.records == ["web06.cluster. A 10.42.0.6"], "the hub's own queries are answered: \(fromHub)")
        try cluster.server.waitForLog("node05 (10.42.0.5) OS up: first DNS query")
        let upLines = cluster.server.log.components(separatedBy: "OS up").count - 1
        #expect(upLines == 1, "one OS-up line per boot, not per query:\n\(cluster.server.log)")
    }

    @Test func forwardsToTheUpstreamAndAnswersServfailWhenItIsGone() throws {
        let cluster = try cluster()
        let lab = cluster.lab
        let forwarded = try dig(lab, from: cluster.node, "www.example.test")
        #expect(forwarded.status == "NOERROR" && forwarded.records == ["www.example.test. A 192.0.2.7"], "\(forwarded)")
        #expect(!forwarded.flags.contains("aa") && forwarded.flags.contains("ra"), "\(forwarded)")
        let overTCP = try dig(lab, from: cluster.node, "tcp.example.test", tcp: true)
        #expect(overTCP.records == ["tcp.example.test. A 192.0.2.7"], "a TCP client's query forwarded: \(overTCP)")
        let elsewhere = try dig(lab, from: cluster.node, "nothing.invalid")
        #expect(elsewhere.status == "NXDOMAIN", "the upstream's NXDOMAIN passed on: \(elsewhere)")

        // SIGKILL: the test runner's threads block SIGTERM, and its children inherit that.
        kill(cluster.upstreamProcess.processIdentifier, SIGKILL)
        cluster.upstreamProcess.waitUntilExit()
        let cached = try dig(lab, from: cluster.node, "www.example.test")
        #expect(cached.records == ["www.example.test. A 192.0.2.7"], "answered from the cache: \(cached)")
        let started = Date()
        let failed = try dig(lab, from: cluster.node, "other.example.test")
        #expect(failed.status == "SERVFAIL", "\(failed)")
        #expect(Date().timeIntervalSince(started) < 4, "SERVFAIL after the forwarder's timeout, within dig's wait")
    }

    @Test func aNodeAddedToTheMapResolvesWithoutARestart() throws {
        let cluster = try cluster()
        let lab = cluster.lab
        let before = try dig(lab, from: cluster.node, "late11.cluster")
        #expect(before.status == "NXDOMAIN", "\(before)")
        let mark = cluster.server.log.count
        let added = try cluster.server.bramble(["nodes", "add", "--config", cluster.server.configPath, "11", "b8:27:eb:00:00:11", "late11"])
        #expect(added.status == 0, "\(added.output)")
        try cluster.server.waitForLog("reloaded", after: mark)
        let after = try dig(lab, from: cluster.node, "late11.cluster")
        #expect(after.records == ["late11.cluster. A 10.42.0.11"], "\(after)")
        let ptr = try dig(lab, from: cluster.node, "11.0.42.10.in-addr.arpa", "PTR", tcp: true)
        #expect(ptr.records == ["11.0.42.10.in-addr.arpa. PTR late11.cluster."], "\(ptr)")
    }

    @Test func queriesFromOutsideTheClusterSubnetAreRefused() throws {
        let cluster = try cluster()
        let lab = cluster.lab
        let outsider = try lab.addHost("out", address: "192.168.77.2/24")
        try #require(try lab.run(in: outsider, ["ip", "route", "add", "10.42.0.0/24", "dev", "eth0"]).status == 0)
        try #require(try lab.run(in: cluster.hub, ["ip", "route", "add", "192.168.77.0/24", "dev", "eth0"]).status == 0)
        for tcp in [false, true] {
            let local = try dig(lab, from: outsider, "node05.cluster", tcp: tcp)
            #expect(local.status == "REFUSED" && local.records.isEmpty, "\(local)")
            let forwarded = try dig(lab, from: outsider, "www.example.test", tcp: tcp)
            #expect(forwarded.status == "REFUSED" && forwarded.records.isEmpty, "never an open resolver: \(forwarded)")
        }
        #expect(!cluster.server.log.contains("OS up"), "no node asked")
    }
}
