import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// What dig cannot show: TCP limits, pipelining, malformed queries (scripts/lib/dns-probe.py
/// from the node's namespace), truncation and the TCP retry, upstreams changed on reload.
extension DNSIntegrationTests {
    /// Runs a dns-probe.py command from `host` and decodes its JSON.
    func probe(_ cluster: Cluster, _ arguments: [String], timeout: Double = 60) throws -> [String: Any] {
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/dns-probe.py").path
        let result = try cluster.lab.run(in: cluster.node, ["python3", script, Self.hubAddress] + arguments, timeout: timeout)
        let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try #require(object, "dns-probe \(arguments) printed: \(result.output)")
    }

    /// One address may hold 16 of the 64 connections (DNSService's per-client cap).
    @Test func theTCPConnectionLimitRefusesOneMoreAndKeepsServingTheRest() throws {
        let cluster = try cluster()
        let result = try probe(cluster, ["limit", "16"])
        #expect(result["answeredFirst"] as? Int == 16, "\(result)")
        #expect(result["extraClosed"] as? Bool == true, "the node's 17th connection is closed: \(result)")
        #expect(result["answeredAgain"] as? Int == 16, "the first 16 are still answered: \(result)")
        let after = result["afterHangUp"] as? [String: Any]
        #expect(after?["id"] as? Int == 4242 && after?["answers"] as? Int == 1, "a freed slot takes a new connection: \(result)")
    }

    @Test func anIdleTCPConnectionIsClosedAfterTheTimeout() throws {
        let cluster = try cluster()
        let result = try probe(cluster, ["idle", "20"])
        let answer = result["answer"] as? [String: Any]
        #expect(answer?["answers"] as? Int == 1, "\(result)")
        #expect(result["closed"] as? Bool == true, "\(result)")
        let seconds = result["seconds"] as? Double ?? 0
        #expect(seconds > 9 && seconds < 13, "closed 10 s after the last answer: \(result)")
    }

    @Test func aPipelinedTCPStreamGetsEveryAnswerAndFORMERRForTheBadOne() throws {
        let cluster = try cluster()
        let result = try probe(cluster, ["pipeline"])
        let answers = try #require(result["answers"] as? [String: [String: Any]], "\(result)")
        func answer(_ id: Int) -> (rcode: Int?, count: Int?) {
            (answers[String(id)]?["rcode"] as? Int, answers[String(id)]?["answers"] as? Int)
        }
        #expect(answers.count == 6, "\(result)")
        #expect(answer(100) == (0, 1) && answer(101) == (0, 1) && answer(102) == (0, 1), "A, A, PTR: \(result)")
        #expect(answer(103) == (3, 0), "NXDOMAIN: \(result)")
        #expect(answer(104) == (0, 1), "forwarded: \(result)")
        #expect(answer(77).rcode == 1, "the compression loop gets FORMERR: \(result)")
        let after = result["after"] as? [String: Any]
        #expect(after?["id"] as? Int == 200 && after?["answers"] as? Int == 1, "the stream stays open: \(result)")
    }

    @Test func malformedQueriesGetFORMERROrAreDroppedAndServingGoesOn() throws {
        let cluster = try cluster()
        let result = try probe(cluster, ["malformed"])
        for (name, id) in [("compression loop", 1), ("pointer past the end", 2), ("label over 63", 3), ("name over 255", 4), ("counts that lie", 5)] {
            let reply = result[name] as? [String: Any]
            #expect(reply?["id"] as? Int == id && reply?["rcode"] as? Int == 1, "\(name): FORMERR: \(result)")
        }
        #expect(result["short header"] as? String == "dropped", "\(result)")
        let good = result["then a good query"] as? [String: Any]
        #expect(good?["rcode"] as? Int == 0 && good?["answers"] as? Int == 1, "\(result)")
        #expect(cluster.server.process?.isRunning == true)
    }

    @Test func aTruncatedAnswerIsRetriedOverTCPUpstreamAndByTheClient() throws {
        let cluster = try cluster()
        let lab = cluster.lab
        // Over UDP the client gets TC and no records: 100 A records do not fit in 1232 bytes.
        let truncated = try lab.run(in: cluster.node, ["dig", "@\(Self.hubAddress)", "big.example.test", "+ignore", "+tries=1", "+time=4"], timeout: 15)
        #expect(truncated.output.contains(" tc"), "TC set over UDP: \(truncated.output)")
        #expect(!truncated.output.contains("192.0.2.99"), "no partial answer: \(truncated.output)")
        let upstreamLog = try String(contentsOf: cluster.server.file("tiny-dns.log"), encoding: .utf8)
        #expect(upstreamLog.contains("TCP query"), "bramble retried the upstream's truncated answer over TCP: \(upstreamLog)")
        // dig's own retry over TCP gets the whole answer (from the cache).
        let whole = try dig(lab, from: cluster.node, "big.example.test")
        #expect(whole.records.count == 100 && whole.records.contains("big.example.test. A 192.0.2.99"), "\(whole)")
        #expect(!whole.flags.contains("tc"), "\(whole)")
    }

    /// A second tiny upstream at 10.42.0.241 that answers every name with 192.0.2.8, running
    /// once it says so; the caller stops it.
    func startSecondUpstream(_ cluster: Cluster) throws -> Process {
        let namespace = try cluster.lab.addHost("up2", address: "10.42.0.241/24")
        return try cluster.lab.startTinyDNS(in: namespace, address: "10.42.0.241", arguments: ["53", "192.0.2.8"], log: cluster.server.file("tiny-dns-2.log").path)
    }

    @Test func changedUpstreamsApplyOnReloadWithoutARestart() throws {
        let cluster = try cluster()
        let lab = cluster.lab
        let before = try dig(lab, from: cluster.node, "www.example.test")
        #expect(before.records == ["www.example.test. A 192.0.2.7"], "\(before)")
        let second = try startSecondUpstream(cluster)
        defer {
            kill(second.processIdentifier, SIGKILL)
            second.waitUntilExit()
        }
        let pid = try #require(cluster.server.process?.processIdentifier)
        let mark = cluster.server.log.count
        let config = try String(contentsOfFile: cluster.server.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "upstream = \(Self.upstreamAddress)", with: "upstream = 10.42.0.241")
            .write(toFile: cluster.server.configPath, atomically: false, encoding: .utf8)
        kill(pid, SIGHUP)
        try cluster.server.waitForLog("reloaded", after: mark)
        let after = try dig(lab, from: cluster.node, "www.example.test")
        #expect(after.records == ["www.example.test. A 192.0.2.8"], "the new upstream answers, the old cache is gone: \(after)")
        let fresh = try dig(lab, from: cluster.node, "new.example.test")
        #expect(fresh.records == ["new.example.test. A 192.0.2.8"], "\(fresh)")
        #expect(cluster.server.process?.processIdentifier == pid && cluster.server.process?.isRunning == true, "no restart")
    }

    @Test func changedResolvConfNameserversApplyOnReload() throws {
        var directory = ""
        defer {
            if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
            rmdir("/etc/netns")  // only when now empty: nothing else of ours is in it
        }
        let cluster = try cluster(config: "", resolvConf: "nameserver \(Self.upstreamAddress)\n")
        directory = Self.hubResolvConfDirectory(cluster.hub)
        let lab = cluster.lab
        #expect(cluster.server.log.contains("forwarding names outside the cluster to \(Self.upstreamAddress) (from /etc/resolv.conf)"), "\(cluster.server.log)")
        let before = try dig(lab, from: cluster.node, "www.example.test")
        #expect(before.records == ["www.example.test. A 192.0.2.7"], "\(before)")
        let second = try startSecondUpstream(cluster)
        defer {
            kill(second.processIdentifier, SIGKILL)
            second.waitUntilExit()
        }
        // In place: the daemon sees the file through a bind mount of this very inode.
        try "nameserver 10.42.0.241\n".write(toFile: directory + "/resolv.conf", atomically: false, encoding: .utf8)
        let mark = cluster.server.log.count
        kill(try #require(cluster.server.process?.processIdentifier), SIGHUP)
        try cluster.server.waitForLog("reloaded", after: mark)
        let after = try dig(lab, from: cluster.node, "www.example.test")
        #expect(after.records == ["www.example.test. A 192.0.2.8"], "the new nameserver answers: \(after)\n\(cluster.server.log)")
    }
}
