import BrambleLab
import Foundation
import Testing

/// Hostile clients against a live `bramble serve` (issue 12): an attacker on the cluster
/// bridge and an outsider routed in from 192.0.2.0/24 throw malformed, oversized and
/// flooding traffic at the hub while a simulated Pi 4 boots, and a local user who owns the
/// state directory plants links in it. After each attack the Pi's boot completes within its
/// normal time, the daemon still answers DHCP, TFTP and DNS, and nothing persisted is lost.
/// The attacks are scripts/lib/hostile.py, bounded in packets and seconds.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct HostileClientTests {
    enum Side: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case inside = "the cluster subnet"
        case outside = "outside the cluster subnet"
        var testDescription: String { "from \(rawValue)" }
    }

    /// The oversized-echo query (hostile.py `oversized_query`): thousands of questions read
    /// through compression pointers, laid out so that echoing them cannot be compressed.
    /// Over TCP an 18.6 KB query would echo past 65,535 bytes, what DNS over TCP can frame;
    /// over UDP a 16.6 KB one echoes to some 54 KB, and a 65,507-byte datagram (the most
    /// UDP carries) to megabytes. A reply, if any, must fit its transport (UDP: 512 bytes
    /// without EDNS, the client's 1232 with it; TCP: its length prefix, and decode) and
    /// carry no question: a message with QDCOUNT other than 1 gets FORMERR (or REFUSED from
    /// outside) without an echo, as BIND answers.
    @Test(arguments: Side.allCases)
    func theOversizedEchoQueryNeitherStopsTheDaemonNorGetsAnOversizedReply(from side: Side) throws {
        let setup = try HostileLab()
        let host = side == .inside ? setup.attacker : setup.outsider
        let piBoot = try setup.startPiBoot()
        // TCP last: it is the one that stopped the daemon.
        for (variant, limit) in [("udp", 512), ("udp-edns", 1232), ("udp-max", 512), ("tcp", 65535)] {
            let result = try setup.hostile(["dns", HostileLab.hub, variant], from: host)
            let querySize = result["querySize"] as? Int ?? 0
            let questions = result["questions"] as? Int ?? 0
            if let reply = result["reply"] as? [String: Any] {
                let size = reply["size"] as? Int ?? .max
                #expect(size <= limit, "\(variant) \(side): a \(size)-byte reply to a \(querySize)-byte query; the limit is \(limit): \(result)")
                #expect(reply["qdcount"] as? Int == 0, "\(variant) \(side): questions echoed in the answer to \(questions) questions: \(result)")
                #expect(reply["qr"] as? Bool == true && reply["decodes"] as? Bool == true, "\(variant) \(side): \(result)")
                #expect([1, 5].contains(reply["rcode"] as? Int ?? -1), "\(variant) \(side): FORMERR or REFUSED: \(result)")
                if variant == "tcp" { #expect(result["lengthPrefix"] as? Int == size, "\(result)") }
            }
            try setup.expectAnswering(after: "the \(querySize)-byte \(variant) query from \(side.rawValue)")
        }
        setup.expectBooted(piBoot)
    }

    /// What a local user who owns the state directory (the account bramble drops to) could
    /// plant there for the next start as root.
    enum PlantedLink: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case logs = "logs, a symbolic link to a root-owned directory"
        case leases = "leases, a symbolic link to a root-owned file"
        case leasesHardLink = "leases, a hard link to a root-owned file"
        case controlSocket = "control.sock, a symbolic link to a root-owned file"
        case capture = "the capture file, a symbolic link to a root-owned file"
        case logFile = "the log file, a symbolic link to a root-owned file"
        var testDescription: String { rawValue }

        /// Its name in the state directory.
        var name: String {
            switch self {
            case .logs: "logs"
            case .leases, .leasesHardLink: "leases"
            case .controlSocket: "control.sock"
            case .capture: "capture.pcap"
            case .logFile: "bramble.log"
            }
        }
    }

    /// `bramble serve` refuses to start, naming the planted path (`state/NAME`) and saying
    /// "symbolic link" (a hard link: "link"), and the link's target and everything beside it
    /// keep their owner, mode, size, content and modification time. With the link gone it
    /// starts and serves.
    @Test(arguments: PlantedLink.allCases)
    func aLinkPlantedInTheStateDirectoryIsRefusedAndNothingOutsideIsTouched(_ planted: PlantedLink) throws {
        let config = "pool = 10.42.0.100-10.42.0.199\n" + (planted == .logFile ? "log-file = state/bramble.log\n" : "")
        let setup = try HostileLab(config: config, start: false)
        let state = setup.server.file("state").path
        let outside = setup.server.file("outside").path
        let victimDirectory = outside + "/root-directory", victimFile = outside + "/root-file"
        try FileManager.default.createDirectory(atPath: victimDirectory, withIntermediateDirectories: true)
        chmod(victimDirectory, 0o700)
        // No newline at the end: a lease journal opener cuts a torn last line off.
        try Data("root's own file; its last line has no newline".utf8).write(to: URL(fileURLWithPath: victimFile))
        try Data("inside root's directory\n".utf8).write(to: URL(fileURLWithPath: victimDirectory + "/kept"))
        for path in [victimFile, victimDirectory + "/kept"] { chmod(path, 0o600) }
        for path in [victimFile, victimDirectory + "/kept", victimDirectory] { Self.setModificationTimeInThePast(path) }
        // The state directory as a previous run leaves it: the unprivileged account's.
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        chown(state, 65534, 65534)
        let plantedPath = state + "/" + planted.name
        if planted == .leasesHardLink {
            try #require(link(victimFile, plantedPath) == 0, "link: errno \(errno)")
        } else {
            try #require(symlink(planted == .logs ? victimDirectory : victimFile, plantedPath) == 0, "symlink: errno \(errno)")
            lchown(plantedPath, 65534, 65534)
        }
        let before = try Self.snapshot(outside)
        let arguments = planted == .capture ? ["--capture", state + "/capture.pcap"] : []

        let attempt = try Self.serve(setup, arguments: arguments, logFile: planted == .logFile ? state + "/bramble.log" : nil)
        #expect(!attempt.started, "bramble serve started with \(planted.rawValue) in its state directory:\n\(attempt.output)")
        #expect(attempt.status != 0, "\(attempt.output)")
        #expect(attempt.output.contains("state/\(planted.name)"), "the refusal names the path: \(attempt.output)")
        let wording = planted == .leasesHardLink ? "link" : "symbolic link"
        #expect(attempt.output.contains(wording), "the refusal says '\(wording)': \(attempt.output)")
        let after = try Self.snapshot(outside)
        #expect(after == before, "touched outside the state directory: \(Self.difference(before, after))")

        unlink(plantedPath)
        let withoutLink = try Self.snapshot(outside)
        if planted == .logFile {
            let clean = try Self.serve(setup, arguments: arguments, logFile: state + "/bramble.log")
            #expect(clean.started, "with the link gone, bramble serve starts: \(clean.output)")
        } else {
            try setup.server.start(arguments: arguments)
            try setup.expectAnswering(after: "a start with \(planted.name) removed")
        }
        let afterStart = try Self.snapshot(outside)
        #expect(afterStart == withoutLink, "touched outside the state directory: \(Self.difference(withoutLink, afterStart))")
    }

    /// A boot file rewritten in place (same inode) while it is being read, the way an
    /// operator's `cat new > file` or `truncate` + write does it.
    enum Rewrite: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case truncateThenWrite = "truncated to 0 bytes, then the new bytes written"
        case catOver = "`cat new > file`"
        var testDescription: String { rawValue }
    }

    /// Four scripted readers (octet and netascii, 512 to 1468-byte blocks, one with a window
    /// of 4) hold their ACK in mid-file, and four real clients (curl octet and netascii,
    /// atftp, tftp-hpa netascii) each read through a 1 Mbit/s link (a second in, each is
    /// past 100 KB), while a 600 KB file is rewritten in place as a different 100 KB one (so the
    /// rest of the old file is gone from under them). Every transfer then ends within
    /// seconds: with a TFTP ERROR, or complete with exactly the old or exactly the new
    /// bytes, never a mix and never a stall; the daemon stays up (no SIGBUS) and the next
    /// transfer, octet or netascii, gets the new bytes exactly.
    @Test(arguments: Rewrite.allCases)
    func aBootFileRewrittenInPlaceDuringTransfersFailsThemCleanly(_ rewrite: Rewrite) throws {
        let setup = try HostileLab()
        // Each reader from an address of its own: bramble admits only a few transfers
        // that have not been acknowledged yet per address, and these start at once.
        let readerSources = (80..<84).map { "10.42.0.\($0)" }
        for source in readerSources {
            try setup.lab.run(in: setup.attacker, ["ip", "addr", "add", "\(source)/24", "dev", "eth0"])
        }
        let clientHosts = try (0..<4).map { index in
            let host = try setup.lab.addHost("rd\(index)", address: "10.42.0.\(90 + index)/24")
            try setup.lab.shapeTraffic(to: host, rate: "1mbit")
            return host
        }
        let old = Self.textLikeBytes(600_000, alphabet: Array("ab \r\n\tyz".utf8))
        let new = Self.textLikeBytes(100_000, alphabet: Array("cd\r\n\0uvw".utf8))
        let file = setup.boot.appendingPathComponent("hostile.img")
        try old.write(to: file)
        let oldCopy = setup.server.file("old.bin"), newCopy = setup.server.file("new.bin"), go = setup.server.file("go")
        try old.write(to: oldCopy)
        try new.write(to: newCopy)
        let piBoot = try setup.startPiBoot()

        let readers = [("octet", 512, 1, 20), ("netascii", 512, 1, 20), ("octet", 1468, 4, 104), ("netascii", 1024, 1, 150)]
        let slow = try readers.enumerated().map { index, reader in
            try setup.startHostile([
                "slowread", HostileLab.hub, "hostile.img", "--mode", reader.0, "--blksize", String(reader.1), "--windowsize", String(reader.2),
                "--pause-after", String(reader.3), "--go", go.path, "--old", oldCopy.path, "--new", newCopy.path, "--source", readerSources[index],
            ], from: setup.attacker, output: "slow\(index).jsonl")
        }
        let pausedBy = Date().addingTimeInterval(20)
        while slow.contains(where: { $0.lines.first?["paused"] == nil }) && Date() < pausedBy { usleep(50_000) }
        try #require(slow.allSatisfy { $0.lines.first?["paused"] != nil }, "the readers did not reach mid-file: \(slow.map(\.text))")

        let clients: [(label: String, command: [String])] = [
            ("curl octet", ["curl", "-sS", "-o", "OUT", "tftp://\(HostileLab.hub)/hostile.img"]),
            ("curl netascii", ["curl", "-sS", "-o", "OUT", "tftp://\(HostileLab.hub)/hostile.img;mode=netascii"]),
            ("atftp octet", ["atftp", "--get", "-r", "hostile.img", "-l", "OUT", HostileLab.hub]),
            ("tftp-hpa netascii", ["tftp", "-m", "netascii", HostileLab.hub, "-c", "get", "hostile.img", "OUT"]),
        ]
        let running = try clients.enumerated().map { index, client in
            let out = setup.server.file("client\(index).out").path
            let command = ["timeout", "-s", "KILL", "20"] + client.command.map { $0 == "OUT" ? out : $0 }
            let log = setup.server.file("client\(index).log").path
            return (client.label, out, log, try setup.lab.start(in: clientHosts[index], command, output: log))
        }
        usleep(1_000_000)

        switch rewrite {
        case .truncateThenWrite:
            #expect(truncate(file.path, 0) == 0)
            usleep(100_000)
            let handle = try FileHandle(forWritingTo: file)
            try handle.write(contentsOf: new)
            try handle.close()
        case .catOver:
            let result = try NetworkLab.execute(["sh", "-c", "cat \"$0\" > \"$1\"", newCopy.path, file.path], timeout: 10)
            #expect(result.status == 0, "\(result.output)")
        }
        #expect(FileManager.default.createFile(atPath: go.path, contents: nil))

        for (index, reader) in slow.enumerated() {
            let result = reader.finish(within: 25)
            let outcome = result?["outcome"] as? String
            #expect(outcome == "error" || outcome == "complete", "reader \(readers[index]) after the rewrite: \(reader.text)")
            if outcome == "complete" {
                #expect(["old", "new"].contains(result?["matches"] as? String), "reader \(readers[index]) completed with a mix of old and new bytes: \(reader.text)")
            }
        }
        let accepted = [old, new, Self.netascii(old), Self.netascii(new)]
        for (label, out, logPath, process) in running {
            let deadline = Date().addingTimeInterval(35)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            #expect(!process.isRunning && process.terminationStatus != 137, "\(label) still reading 20 s after it started: \(log)")
            // tftp-hpa exits 0 after an ERROR too; its "Error code N: ..." line says it failed.
            if !process.isRunning, process.terminationStatus == 0, !log.contains("Error code") {
                let bytes = try? Data(contentsOf: URL(fileURLWithPath: out))
                #expect(bytes.map(accepted.contains) == true, "\(label) completed with neither the old nor the new file (\(bytes?.count ?? -1) bytes): \(log)")
            }
        }

        guard setup.server.process?.isRunning == true else {
            Issue.record("bramble serve died when the file was rewritten under its transfers:\n\(setup.logTail)")
            return
        }
        let fetched = setup.server.file("fetched")
        let octet = try setup.lab.run(in: setup.attacker, ["timeout", "-s", "KILL", "20", "atftp", "--get", "-r", "hostile.img", "-l", fetched.path, HostileLab.hub], timeout: 25)
        #expect((try? Data(contentsOf: fetched)) == new, "a new octet transfer gets the new bytes: \(octet.output)")
        let text = try setup.hostile([
            "slowread", HostileLab.hub, "hostile.img", "--mode", "netascii", "--pause-after", "1000000", "--go", go.path,
            "--old", oldCopy.path, "--new", newCopy.path,
        ], from: setup.attacker)
        #expect(text["outcome"] as? String == "complete" && text["matches"] as? String == "new", "a new netascii transfer gets the new bytes: \(text)")
        setup.expectBooted(piBoot)
        try setup.expectAnswering(after: "a boot file rewritten in place (\(rewrite.rawValue))")
    }

    /// The lease journal on a 256 KiB tmpfs that fills up. Clients (hostile.py: DISCOVER,
    /// REQUEST with a 60-byte host name, REQUEST tried 3 times 0.5 s apart) take leases; the
    /// disk is filled, and clients ask until one gets no ACK: the journal's last page is
    /// full, so its line cannot be written (a first part of it may be, torn at the page
    /// boundary). Space is freed and the silenced client and three new ones get leases;
    /// the disk is filled again, five more ask, and the daemon is killed with SIGKILL. With
    /// space back and the daemon restarted, every lease a client saw ACKed is still that
    /// client's: new clients get none of those addresses, and each client asking for its
    /// own address (INIT-REBOOT) gets an ACK. The Pi boots while the disk is full.
    @Test func aFullDiskUnderTheLeaseJournalAndKill9LoseNoAcknowledgedLease() throws {
        var tmpfs: TmpfsMount?
        let setup = try HostileLab(config: "pool = 10.42.0.100-10.42.0.249\n") { server in
            tmpfs = try TmpfsMount(at: server.file("state").path, size: "256k")
        }
        let disk = try #require(tmpfs)
        // Before the lab goes (a defer runs before the scope's values are released).
        defer { disk.unmount() }
        var acknowledged: [String: String] = [:]
        func ask(_ first: String, count: Int, stopAtSilence: Bool = false) throws -> [[String: Any]] {
            let result = try setup.hostile(
                ["dhcp-clients", "eth0", "--first-mac", first, "--count", String(count)] + (stopAtSilence ? ["--stop-at-silence"] : []),
                from: setup.attacker, timeout: 120)
            let clients = try #require(result["clients"] as? [[String: Any]], "\(result)")
            for client in clients {
                if let mac = client["mac"] as? String, let address = client["acked"] as? String { acknowledged[mac] = address }
            }
            return clients
        }
        let first = try ask("02:00:00:00:01:00", count: 8)
        try #require(first.allSatisfy { $0["acked"] is String }, "with space, every client gets a lease: \(first)")

        try disk.fill()
        let piBoot = try setup.startPiBoot()
        let whileFull = try ask("02:00:00:00:02:00", count: 60, stopAtSilence: true)
        let silenced = try #require(whileFull.last, "no client asked")
        try #require(silenced["offered"] is String && !(silenced["acked"] is String), "the disk never refused a journal line: \(whileFull.count) clients all got leases")
        setup.expectBooted(piBoot)

        disk.free()
        let retried = try ask(try #require(silenced["mac"] as? String), count: 1)
        #expect(retried.first?["acked"] is String, "with space again, the silenced client gets its lease: \(retried)")
        _ = try ask("02:00:00:00:03:00", count: 3)

        try disk.fill()
        _ = try ask("02:00:00:00:04:00", count: 5)
        setup.server.stop(signal: SIGKILL)
        disk.free()
        let journal = (try? String(contentsOf: setup.server.file("state/leases"), encoding: .utf8)) ?? "(unreadable)"
        try setup.server.start()

        let taken = Set(acknowledged.values)
        let newcomers = try ask("02:00:00:00:05:00", count: 4)
        for client in newcomers {
            let address = client["acked"] as? String ?? client["offered"] as? String
            #expect(address.map { !taken.contains($0) } ?? true, "\(client["mac"] ?? "?") got \(address ?? "?"), an address ACKed to another client before the restart; journal:\n\(journal)")
        }
        let pairs = acknowledged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let reboot = try setup.hostile(["dhcp-reboot", "eth0"] + pairs, from: setup.attacker, timeout: 120)
        let answers = try #require(reboot["clients"] as? [[String: Any]], "\(reboot)")
        let lost = answers.filter { $0["answer"] as? String != "ACK \($0["requested"] as? String ?? "")" }
        #expect(lost.isEmpty, "\(lost.count) of \(answers.count) ACKed leases lost after the full disk and kill -9: \(lost); journal:\n\(journal)")
        try setup.expectAnswering(after: "a full disk and kill -9")
    }

    /// Cheap floods at once while the Pi boots: 500 DHCPDISCOVERs in about a second (chaddr
    /// random, broadcast, multicast, all zero, and frames addressed to another host's MAC),
    /// 8 never-acknowledged TFTP reads with `timeout 255` from each of 24 addresses on the
    /// subnet, and a DNS client over TCP sending one byte a second. The Pi boots in its
    /// normal time; no DISCOVER with a non-unicast chaddr or a frame not for the hub is
    /// answered; a flooding address may start a transfer again within 40 s (no slot held
    /// for minutes); the trickling client is hung up on within 13 s (the 10 s idle time
    /// counts from the last whole query, not the last byte).
    @Test func floodsLeaveTheBootAndTheServicesAlone() throws {
        let setup = try HostileLab(config: "pool = 10.42.0.100-10.42.0.249\n")
        let sources = (70..<94).map { "10.42.0.\($0)" }
        for source in sources {
            try setup.lab.run(in: setup.attacker, ["ip", "addr", "add", "\(source)/24", "dev", "eth0"])
        }
        let trickle = try setup.startHostile(["dns-trickle", HostileLab.hub, "16"], from: setup.attacker, output: "trickle.jsonl")
        let tftp = try setup.startHostile(
            ["tftp-flood", HostileLab.hub, "kernel7l.img", "--sources", sources.joined(separator: ","), "--per-source", "8", "--release-within", "40"],
            from: setup.attacker, output: "tftp-flood.jsonl")
        let piBoot = try setup.startPiBoot()
        let dhcp = try setup.hostile(["dhcp-flood", "eth0", "500"], from: setup.attacker)
        #expect(dhcp["answeredCount"] as? Int == 0, "DISCOVERs answered that must be ignored: \(dhcp)")
        setup.expectBooted(piBoot)

        let trickled = try #require(trickle.finish(within: 25), "\(trickle.text)")
        let closedAfter = trickled["closedAfter"] as? Double
        #expect(closedAfter.map { $0 <= 13 } == true, "a client trickling a byte a second kept its DNS connection: \(trickled)")
        let flooded = try #require(tftp.finish(within: 60), "\(tftp.text)")
        #expect(flooded["releasedAfter"] as? Double != nil, "a flooding address still held its TFTP slots 40 s later: \(flooded)")
        try setup.expectAnswering(after: "the floods")
    }

    // MARK: helpers

    /// Starts `bramble serve` and waits until it logs `ready:` or exits (10 s at most); a
    /// daemon that started is stopped again.
    static func serve(_ setup: HostileLab, arguments: [String], logFile: String?) throws -> (started: Bool, status: Int32, output: String) {
        let server = setup.server
        let process = try setup.lab.start(
            in: setup.hubNamespace, [ServerUnderTest.executable.path, "serve", "--config", server.configPath] + arguments,
            output: server.file("attempt.log").path)
        func output() -> String {
            let own = (try? String(contentsOf: server.file("attempt.log"), encoding: .utf8)) ?? ""
            // Read through a planted link too: a daemon that followed it logs there.
            let logged = logFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            return own + logged
        }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && !output().contains("ready:") && Date() < deadline { usleep(20_000) }
        let started = process.isRunning
        if started {
            process.terminate()
            process.waitUntilExit()
        }
        return (started, process.isRunning ? 0 : process.terminationStatus, output())
    }

    static func setModificationTimeInThePast(_ path: String) {
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// Every entry under `path`: owner, mode, size, modification time and content.
    static func snapshot(_ path: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let names = [""] + (FileManager.default.subpaths(atPath: path) ?? [])
        for name in names {
            let full = name.isEmpty ? path : path + "/" + name
            var status = stat()
            guard lstat(full, &status) == 0 else { continue }
            var entry = "uid \(status.st_uid) gid \(status.st_gid) mode \(String(status.st_mode, radix: 8)) links \(status.st_nlink) size \(status.st_size) mtime \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
            if status.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: full) {
                entry += " content \(String(decoding: data, as: UTF8.self).debugDescription)"
            }
            entries[name.isEmpty ? "." : name] = entry
        }
        return entries
    }

    static func difference(_ before: [String: String], _ after: [String: String]) -> String {
        Set(before.keys).union(after.keys).sorted().compactMap { key in
            before[key] == after[key] ? nil : "\(key): \(before[key] ?? "absent") -> \(after[key] ?? "absent")"
        }.joined(separator: "; ")
    }

    /// Random bytes from `alphabet`, so netascii has line ends and bare CRs to convert.
    static func textLikeBytes(_ count: Int, alphabet: [UInt8]) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// RFC 764's netascii: CR becomes CR NUL, LF becomes CR LF.
    static func netascii(_ data: Data) -> Data {
        var converted = Data(capacity: data.count + data.count / 8)
        for byte in data {
            switch byte {
            case 0x0d: converted.append(contentsOf: [0x0d, 0x00])
            case 0x0a: converted.append(contentsOf: [0x0d, 0x0a])
            default: converted.append(byte)
            }
        }
        return converted
    }
}
