import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// `bramble power-on` against `bramble serve` in namespaces: each bay's fake power command
/// starts a simulated Pi in its own namespace (ROM DISCOVER, TFTP reads, kernel DHCP, a DNS
/// query), and the bays' own clocks show how many were booting at once.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct PowerOnIntegrationTests {
    @Test func sixBaysWithAtMostTwoBootingAtOnce() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let ids = 1...6
        let nodes = ids.map { "\($0) b8:27:eb:00:30:0\($0)" }.joined(separator: "\n") + "\n"
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: nodes)
        let boot = server.file("pxe/boot")
        try TestBootTree.write(["bootcode.bin": 52_480, "start.elf": 200_000, "kernel7.img": 400_000], into: boot, fill: .repeating(0x42))
        try server.start()
        for id in ids { try lab.addHost("b\(id)", address: "10.42.0.\(id)/24", mac: "b8:27:eb:00:30:0\(id)") }

        // A bay boots in the background, as a powered Pi does; its TFTP-heavy part (from its
        // first read to just before its kernel's DHCP) is written to bayN.times.
        let discover = ServerUnderTest.repository.appendingPathComponent("scripts/lib/pidiscover.py").path
        let udhcpcScript = server.file("udhcpc.sh")
        try "#!/bin/sh\nexit 0\n".write(to: udhcpcScript, atomically: false, encoding: .utf8)
        chmod(udhcpcScript.path, 0o755)
        let times = server.directory.path
        let power = server.file("power.sh")
        try """
            #!/bin/sh
            ns=\(lab.prefix)-b$1
            setsid sh -c "
              timeout 20 ip netns exec $ns python3 \(discover) eth0 b8:27:eb:00:30:0$1
              sleep 0.3
              echo start \\$(date +%s.%N) >> \(times)/bay$1.times
              for file in bootcode.bin start.elf kernel7.img; do
                timeout 20 ip netns exec $ns atftp --get -r \\$file -l /dev/null 10.42.0.250
                sleep 0.4
              done
              echo end \\$(date +%s.%N) >> \(times)/bay$1.times
              timeout 20 ip netns exec $ns busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 -s \(udhcpcScript.path)
              timeout 20 ip netns exec $ns dig @10.42.0.250 hub.cluster +short +tries=1 +time=3
            " > /dev/null 2>&1 < /dev/null &

            """.write(to: power, atomically: false, encoding: .utf8)
        chmod(power.path, 0o755)

        let result = try NetworkLab.execute([
            ServerUnderTest.executable.path, "power-on", "--config", server.configPath, "--ids", "1-6", "--power", "\(power.path) {id}",
            "--max-booting", "2", "--timeout", "60",
        ], timeout: 120)
        #expect(result.status == 0, "\(result.output)\n\(server.log)")
        #expect(result.output.contains("[1/6 powered, 0 up] node 1: powered on\n[2/6 powered, 0 up] node 2: powered on\n"), "\(result.output)")
        #expect(result.output.contains(", 6 up] node0"), "\(result.output)")
        #expect(result.output.contains("6 nodes: 6 up"), "\(result.output)")
        #expect(result.output.contains("at most 2 booting at once (limit 2)"))

        var intervals: [(start: Double, end: Double)] = []
        for id in ids {
            let text = try String(contentsOfFile: "\(times)/bay\(id).times", encoding: .utf8)
            let values = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").map { line in
                let fields = line.split(separator: " ")
                return (String(fields[0]), Double(fields[1]) ?? 0)
            })
            intervals.append((try #require(values["start"]), try #require(values["end"])))
        }
        let peak = intervals.map { interval in intervals.filter { $0.start <= interval.start && interval.start < $0.end }.count }.max() ?? 0
        #expect(peak == 2, "the bays' own clocks: at most 2 booting, and 2 at some point: \(intervals)")
    }
}
