import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// A boot file rewritten in place while it is sent, and a daemon out of file descriptors:
/// `bramble serve` stays up, fails only what it must, cleanly, and keeps serving. In
/// namespaces the tests create and remove.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct HostileBootFileTests {
    static let nodes = "5   b8:27:eb:00:00:05  web05\n"

    struct Setup {
        let lab: NetworkLab
        let server: ServerUnderTest
        let boot: URL
        let client: String

        init() throws {
            lab = try NetworkLab()
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            client = try lab.addHost("c0", address: "10.42.0.5/24", mac: "b8:27:eb:00:00:05")
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: HostileBootFileTests.nodes)
            boot = server.file("pxe/boot")
            try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
            try server.start()
        }

        var progress: String { (try? String(contentsOf: server.file("probe.log"), encoding: .utf8)) ?? "" }

        /// Starts the probe's paused read of `name` in `mode`: it stops after block 1 until
        /// the file `go` exists.
        func startPausedRead(_ name: String, mode: String, out: URL, go: URL) throws {
            try? FileManager.default.removeItem(at: go)
            let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/tftpprobe.py").path
            _ = try lab.start(in: client, ["python3", script, "10.42.0.250", "pausedget", name, mode, out.path, go.path], output: server.file("probe.log").path)
            try waitFor("STARTED")
        }

        func waitFor(_ text: String, timeout: Double = 15) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !progress.contains(text) && Date() < deadline { usleep(20_000) }
            try #require(progress.contains(text), "probe: \(progress)")
        }

        func fetch(_ command: [String], output: URL) throws -> (Data?, String) {
            try lab.fetch(in: client, command, output: output, timeout: 30)
        }
    }

    /// RFC 764's netascii, spelled out: LF as CR LF, a bare CR as CR NUL.
    static func netascii(_ data: Data) -> Data {
        Data(data.flatMap { byte -> [UInt8] in
            switch byte {
            case 0x0a: [0x0d, 0x0a]
            case 0x0d: [0x0d, 0x00]
            default: [byte]
            }
        })
    }

    static func random(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Writes `data` over the file in place: same inode, as `cat new > file` does.
    static func writeInPlace(_ data: Data, to url: URL, truncating: Bool) throws {
        let handle = try FileHandle(forWritingTo: url)
        if truncating { try handle.truncate(atOffset: 0) }
        try handle.write(contentsOf: data)
        try handle.close()
    }

    /// Octet: `cat new > kernel.img` (truncate and write at once) while block 1 waits for
    /// its ACK. Netascii: truncate, let the transfer read the shrunken file, then write.
    /// Either way the running transfer ends with ERROR 0 and a warning naming the file,
    /// the daemon stays up, and curl and atftp then fetch the new file byte for byte.
    @Test(arguments: ["octet", "netascii"])
    func aBootFileRewrittenInPlaceFailsOneTransferAndTheNextGetsTheNewFile(mode: String) throws {
        let setup = try Setup()
        let file = setup.boot.appendingPathComponent("kernel.img")
        let old = Self.random(300_000), new = Self.random(400_000)
        try old.write(to: file)
        let out = setup.server.file("paused.out"), go = setup.server.file("go")
        try setup.startPausedRead("kernel.img", mode: mode, out: out, go: go)

        if mode == "octet" {
            try Self.writeInPlace(new, to: file, truncating: true)
            #expect(FileManager.default.createFile(atPath: go.path, contents: nil))
            try setup.waitFor("ERROR")
        } else {
            #expect(truncate(file.path, 0) == 0)
            #expect(FileManager.default.createFile(atPath: go.path, contents: nil))
            try setup.waitFor("ERROR")
            try Self.writeInPlace(new, to: file, truncating: false)
        }
        #expect(setup.progress.contains("ERROR 0 the file changed on the server while it was sent; request it again"), "\(setup.progress)")
        #expect(setup.server.process?.isRunning == true, "the daemon is still up")
        let log = setup.server.log
        #expect(log.contains("TFTP kernel.img to 10.42.0.5 web05 failed: stopped: the file"), "\(log)")

        let fetched = setup.server.file("fetched")
        if mode == "octet" {
            let (atftp, atftpOutput) = try setup.fetch(["atftp", "--option", "blksize 1468", "--get", "-r", "kernel.img", "-l", fetched.path, "10.42.0.250"], output: fetched)
            #expect(atftp == new, "atftp: \(atftpOutput)")
            let (curl, curlOutput) = try setup.fetch(["curl", "-sS", "-o", fetched.path, "tftp://10.42.0.250/kernel.img"], output: fetched)
            #expect(curl == new, "curl: \(curlOutput)")
        } else {
            // curl asks for netascii with -B and writes the bytes as they came.
            let (curl, curlOutput) = try setup.fetch(["curl", "-sS", "-B", "-o", fetched.path, "tftp://10.42.0.250/kernel.img"], output: fetched)
            #expect(curl == Self.netascii(new) || curl == new, "curl: \(curlOutput)")
            try setup.startPausedRead("kernel.img", mode: "netascii", out: out, go: go)
            #expect(FileManager.default.createFile(atPath: go.path, contents: nil))
            try setup.waitFor("DONE")
            #expect((try? Data(contentsOf: out)) == Self.netascii(new), "\(setup.progress)")
        }
        #expect(setup.server.process?.isRunning == true)
    }

    /// CPU seconds (user + system) the process has used, from /proc/PID/stat.
    static func cpuSeconds(of pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = try #require(Double(fields[11])) + #require(Double(fields[12]))
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The daemon started under a descriptor limit of what it uses plus four, then 40 DNS
    /// TCP connections held open: accept fails with EMFILE. The listener pauses instead of
    /// spinning (the daemon's CPU time stays low over 2 s), logs it, and DNS over UDP and
    /// DHCP are still answered. (`prlimit --pid` on the running daemon needs
    /// CAP_SYS_RESOURCE, which a container's root may lack; a limit set before exec does not.)
    @Test func runningOutOfDescriptorsDoesNotSpinTheLoop() throws {
        let setup = try Setup()
        let firstPID = try #require(setup.server.process?.processIdentifier)
        let used = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(firstPID)/fd").count
        setup.server.stop()
        let log = setup.server.file("limited.log")
        let daemon = try setup.lab.start(
            in: setup.server.hub, ["prlimit", "--nofile=\(used + 4)", ServerUnderTest.executable.path, "serve", "--config", setup.server.configPath],
            output: log.path)
        defer { daemon.terminate() }
        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let ready = Date().addingTimeInterval(10)
        while !logText.contains("ready:") && daemon.isRunning && Date() < ready { usleep(20_000) }
        try #require(logText.contains("ready:"), "\(logText)")
        let pid = daemon.processIdentifier

        let holder = """
            import socket, time
            held = []
            for _ in range(40):
                s = socket.socket(); s.settimeout(2); s.connect(("10.42.0.250", 53)); held.append(s)
            print("HELD", len(held), flush=True)
            time.sleep(6)
            """
        let script = setup.server.file("hold.py")
        try holder.write(to: script, atomically: false, encoding: .utf8)
        _ = try setup.lab.start(in: setup.client, ["python3", script.path], output: setup.server.file("hold.log").path)
        let deadline = Date().addingTimeInterval(10)
        while !(((try? String(contentsOf: setup.server.file("hold.log"), encoding: .utf8)) ?? "").contains("HELD")) && Date() < deadline { usleep(20_000) }
        try #require(((try? String(contentsOf: setup.server.file("hold.log"), encoding: .utf8)) ?? "").contains("HELD 40"))
        usleep(300_000)

        let before = try Self.cpuSeconds(of: pid)
        sleep(2)
        let spent = try Self.cpuSeconds(of: pid) - before
        #expect(spent < 0.3, "the daemon used \(spent) s of CPU in 2 s while out of descriptors")
        #expect(logText.contains("accept(53/tcp): Too many open files"), "\(logText)")

        let dns = try setup.lab.run(in: setup.client, ["dig", "@10.42.0.250", "web05.cluster", "+tries=1", "+time=3", "+short"], timeout: 10)
        #expect(dns.output.contains("10.42.0.5"), "DNS over UDP: \(dns.output)")
        let dhcp = try setup.lab.udhcpc(in: setup.client, directory: setup.server.directory)
        #expect(dhcp.status == 0, "DHCP: \(dhcp.output)")
        #expect(daemon.isRunning)
    }
}
