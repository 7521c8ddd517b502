import BrambleLab
import Foundation

/// The checkout the tests run from (found from this file), for the scripts in scripts/lib.
public enum Checkout {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `scripts/lib/NAME` of the checkout.
    public static func script(_ name: String) -> String { root.appendingPathComponent("scripts/lib/\(name)").path }
}

/// One run of busybox udhcpc: how it ended, what it printed, and the variables of the lease
/// it bound (empty when it bound none).
public struct UDHCPCRun: Sendable {
    public let status: Int32
    public let output: String
    public let lease: [String: String]

    public var bound: Bool { status == 0 && !lease.isEmpty }
}

/// The real clients the integration tests drive inside a lab's hosts, started one way
/// everywhere: each bounded in time (SIGKILL from inside the namespace, which a client
/// stuck on a lossy link cannot ignore), each talking only to addresses in the lab.
extension NetworkLab {
    /// busybox udhcpc on `eth0` of `host`: `-n -q -f`, `tries` DISCOVERs a second apart.
    /// Its script (written into `directory`) records the bound lease's variables (`ip`,
    /// `hostname`, `serverid`, `router`, `dns` ...) and configures nothing.
    public func udhcpc(in host: String, directory: URL, tries: Int = 3, extra: [String] = []) throws -> UDHCPCRun {
        let script = directory.appendingPathComponent("udhcpc-\(host).sh")
        let leaseFile = script.path + ".env"
        try? FileManager.default.removeItem(atPath: leaseFile)
        try "#!/bin/sh\n[ \"$1\" = bound ] && env > \(leaseFile)\nexit 0\n".write(to: script, atomically: false, encoding: .utf8)
        chmod(script.path, 0o755)
        let result = try run(in: host, ["busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", String(tries), "-T", "1", "-s", script.path] + extra,
                             timeout: Double(tries) * 2 + 14)
        let variables = (try? String(contentsOfFile: leaseFile, encoding: .utf8)) ?? ""
        let lease = Dictionary(variables.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
        }, uniquingKeysWith: { first, _ in first })
        return UDHCPCRun(status: result.status, output: result.output, lease: lease)
    }

    /// scripts/lib/tiny-dns.py in `host`, answering on `address` (`arguments` after it: a
    /// port and a fixed answer), its output in `log`; returns once it says it listens (at
    /// most 10 s). The lab stops it on tear-down.
    @discardableResult
    public func startTinyDNS(in host: String, address: String, arguments: [String] = [], log: String) throws -> Process {
        let process = try start(in: host, ["python3", Checkout.script("tiny-dns.py"), address] + arguments, output: log)
        let deadline = Date().addingTimeInterval(10)
        while !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("tiny-dns on") ?? false) {
            guard Date() < deadline, process.isRunning else {
                throw Unavailable(description: "tiny-dns.py did not listen on \(address) within 10 s: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(20_000)
        }
        return process
    }

    /// A TFTP (or any) client's command in `host` that writes `output`: the file's bytes
    /// (nil when it wrote none) and `exit STATUS: OUTPUT` to show when they are wrong. At
    /// most `timeout` seconds.
    public func fetch(in host: String, _ command: [String], output: URL, timeout: Double = 60) throws -> (Data?, String) {
        try? FileManager.default.removeItem(at: output)
        let result = try run(in: host, ["timeout", "-s", "KILL", String(Int(timeout))] + command, timeout: timeout + 5)
        return (try? Data(contentsOf: output), "exit \(result.status): \(result.output)")
    }
}
