import BrambleLab
import Foundation
import Testing

/// The lab itself (BrambleLab, shared with `bramble demo`): if this fails, every integration
/// test's result and the demo mean nothing.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason)) struct NetworkLabTests {
    @Test func hostsReachEachOtherOnlyThroughTheBridgeAndAreRemovedAfterwards() throws {
        let prefix: String
        do {
            let lab = try NetworkLab()
            prefix = lab.prefix
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            let client = try lab.addHost("c1", address: "10.42.0.1/24", mac: "b8:27:eb:00:00:01")
            let ping = try lab.run(in: client, ["ping", "-c", "1", "-W", "2", "10.42.0.250"])
            #expect(ping.status == 0, "\(ping.output)")
            let neighbours = try lab.run(in: hub, ["ip", "neigh", "show", "10.42.0.1"])
            #expect(neighbours.output.contains("b8:27:eb:00:00:01"), "\(neighbours.output)")
            let hostRoutes = try NetworkLab.execute(["ip", "-4", "addr", "show"], timeout: 10)
            #expect(!hostRoutes.output.contains("10.42.0."), "the cluster subnet must exist only inside the lab")
        }
        #expect(try NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty)
    }

    /// The demo's way: many hosts in a few `ip -batch` runs, each with its MAC, on one bridge
    /// with hosts added one at a time.
    @Test func hostsAddedInABatchGetTheirMACsAndShareTheBridge() throws {
        let lab = try NetworkLab()
        let batch = try lab.addHosts([
            NetworkLab.Host("hub", address: "10.42.0.250/24", mac: "02:42:0a:2a:00:fa"),
            NetworkLab.Host("n1", mac: "b8:27:eb:10:00:01"),
            NetworkLab.Host("n2", address: "10.42.0.2/24", mac: "b8:27:eb:10:00:02"),
        ])
        #expect(batch == [lab.namespace("hub"), lab.namespace("n1"), lab.namespace("n2")])
        let single = try lab.addHost("c1", address: "10.42.0.9/24")
        #expect(lab.hosts == batch + [single])
        let link = try lab.run(in: lab.namespace("n1"), ["ip", "-o", "link", "show", "eth0"])
        #expect(link.output.contains("b8:27:eb:10:00:01") && link.output.contains("UP"), "\(link.output)")
        let addresses = try lab.run(in: lab.namespace("n1"), ["ip", "-4", "-o", "addr", "show", "eth0"])
        #expect(addresses.output.isEmpty, "a Pi's eth0 has no address until DHCP: \(addresses.output)")
        #expect(try lab.run(in: lab.namespace("n2"), ["ping", "-c", "1", "-W", "2", "10.42.0.250"]).status == 0)
        #expect(try lab.run(in: single, ["ping", "-c", "1", "-W", "2", "10.42.0.2"]).status == 0)
    }

    /// Whatever still runs inside a namespace goes with it, also what the lab did not start
    /// itself (a client that forked a daemon).
    @Test func tearDownStopsWhatItStartedAndWhatElseRunsInside() throws {
        let lab = try NetworkLab()
        let host = try lab.addHost("h")
        let started = try lab.start(in: host, ["sleep", "60"], output: "/dev/null")
        // Forked with no descriptor of ours (close_fds), as a daemon detaches: `run` returns.
        let forked = try lab.run(in: host, ["python3", "-c", """
            import subprocess
            print(subprocess.Popen(["sleep", "60"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True).pid)
            """], timeout: 10)
        let orphan = try #require(Int32(forked.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(forked.output)")
        #expect(kill(orphan, 0) == 0 && started.isRunning)
        lab.tearDown()
        #expect(!started.isRunning)
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(orphan, 0) != 0 || (try? String(contentsOfFile: "/proc/\(orphan)/stat", encoding: .utf8))?.contains(") Z ") == true
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the forked sleep \(orphan) is killed with its namespace")
        #expect(try NetworkLab.leftoverNamespaces(prefix: lab.prefix).isEmpty)
    }

    /// A lab whose process is gone (killed with SIGKILL) is recognised by the pid in its
    /// names and removed; a lab of a process that still runs is left alone.
    @Test func onlyTheLabsOfProcessesThatAreGoneCountAsAbandoned() throws {
        let family = "bltest"
        let gone = "\(family)4194302-sw"
        let ours = "\(family)\(getpid())-sw"
        for name in [gone, ours] { #expect(try NetworkLab.execute(["ip", "netns", "add", name], timeout: 10).status == 0) }
        defer { _ = try? NetworkLab.execute(["ip", "netns", "del", ours], timeout: 10) }
        #expect(NetworkLab.removeAbandoned(family: family) == 1)
        #expect(try NetworkLab.leftoverNamespaces(prefix: family) == [ours])
    }
}
