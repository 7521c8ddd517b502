import Foundation
import Synchronization
import Testing

/// A throwaway virtual network for integration tests: a switch namespace holding a bridge,
/// and host namespaces (the hub, clients) each wired to it with a veth pair. Everything the
/// tests send stays inside these namespaces, which the lab removes again, also when a test
/// fails.
///
/// Needs root. Without it, tests skip with a message; with `BRAMBLE_REQUIRE_NETNS=1`
/// (CI) they fail instead, so a lost capability can never pass as a green run.
final class NetworkLab {
    static let required = ProcessInfo.processInfo.environment["BRAMBLE_REQUIRE_NETNS"] == "1"
    static let isRoot = geteuid() == 0
    /// The trait condition: run when we can, or when CI demands it (and then fail loudly).
    static let shouldRun = isRoot || required
    static let skipReason: Comment = "needs root to create network namespaces (run scripts/test as root; CI sets BRAMBLE_REQUIRE_NETNS=1)"

    private static let counter = Counter()
    let prefix: String
    let switchNamespace: String
    private(set) var hosts: [String] = []
    /// Tap devices in the switch namespace: deleted before it, so none can outlive the lab.
    private var taps: [String] = []
    /// Each host's port on the bridge (in the switch namespace), by host namespace.
    private var ports: [String: String] = [:]
    private var processes: [Process] = []

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        guard Self.isRoot else { throw Unavailable(description: "network namespace tests need root; running as uid \(geteuid())") }
        prefix = "brt\(getpid() % 100_000)x\(Self.counter.next())"
        switchNamespace = "\(prefix)-sw"
        try ip("netns", "add", switchNamespace)
        try ip("-n", switchNamespace, "link", "add", "br0", "type", "bridge")
        try ip("-n", switchNamespace, "link", "set", "br0", "up")
        try ip("-n", switchNamespace, "link", "set", "lo", "up")
    }

    deinit { tearDown() }

    /// Adds a host namespace with interface `eth0` plugged into the bridge, optionally with
    /// an address (`10.42.0.250/24`); returns the namespace name.
    @discardableResult
    func addHost(_ name: String, address: String? = nil, mac: String? = nil) throws -> String {
        let namespace = "\(prefix)-\(name)"
        let port = "p\(hosts.count)\(prefix.suffix(6))"
        try ip("netns", "add", namespace)
        hosts.append(namespace)
        try ip("-n", switchNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        try ip("-n", switchNamespace, "link", "set", port, "master", "br0", "up")
        ports[namespace] = port
        if let mac { try ip("-n", namespace, "link", "set", "eth0", "address", mac) }
        try ip("-n", namespace, "link", "set", "lo", "up")
        try ip("-n", namespace, "link", "set", "eth0", "up")
        if let address { try ip("-n", namespace, "addr", "add", address, "dev", "eth0") }
        return namespace
    }

    /// Adds a host namespace outside the cluster subnet, wired straight to `router` (a host
    /// on the bridge) rather than to the bridge: the host gets `eth0` with `address` and a
    /// default route through `gateway`, which the router holds on its interface `link`;
    /// the router forwards between the two. Returns the new namespace's name.
    @discardableResult
    func addHost(_ name: String, address: String, behind router: String, link: String, gateway: String) throws -> String {
        let namespace = "\(prefix)-\(name)"
        try ip("netns", "add", namespace)
        hosts.append(namespace)
        try ip("-n", router, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        let prefixLength = address.split(separator: "/").last.map(String.init) ?? "24"
        try ip("-n", router, "addr", "add", "\(gateway)/\(prefixLength)", "dev", link)
        try ip("-n", router, "link", "set", link, "up")
        try ip("-n", namespace, "link", "set", "lo", "up")
        try ip("-n", namespace, "link", "set", "eth0", "up")
        try ip("-n", namespace, "addr", "add", address, "dev", "eth0")
        try ip("-n", namespace, "route", "add", "default", "via", gateway)
        let forwarding = try run(in: router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        guard forwarding.status == 0 else { throw Unavailable(description: "cannot enable forwarding in \(router): \(forwarding.output)") }
        return namespace
    }

    /// Slows what the bridge sends to `host` to `rate` (tc's token bucket, e.g. `1mbit`), so
    /// a transfer to it lasts long enough to be caught in the middle.
    func shapeTraffic(to host: String, rate: String) throws {
        guard let port = ports[host] else { throw Unavailable(description: "\(host) is not on the bridge") }
        try ip("netns", "exec", switchNamespace, "tc", "qdisc", "add", "dev", port, "root", "tbf", "rate", rate, "burst", "16kb", "latency", "2s")
    }

    /// Adds a tap device plugged into the bridge, for a virtual machine (QEMU's `-netdev tap`)
    /// started in the switch namespace; returns the device's name there.
    @discardableResult
    func addTap(_ name: String) throws -> String {
        try ip("-n", switchNamespace, "tuntap", "add", "dev", name, "mode", "tap")
        taps.append(name)
        try ip("-n", switchNamespace, "link", "set", name, "master", "br0", "up")
        return name
    }

    /// Runs a command in a namespace to completion, with a time limit; returns its output.
    @discardableResult
    func run(in namespace: String, _ arguments: [String], timeout: Double = 30) throws -> CommandResult {
        try Self.execute(["ip", "netns", "exec", namespace] + arguments, timeout: timeout)
    }

    /// Starts a long-running command (a server) in a namespace; the lab stops it on tear-down.
    func start(in namespace: String, _ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace] + arguments
        guard FileManager.default.createFile(atPath: output, contents: nil) else {
            throw Unavailable(description: "cannot create \(output)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append(process)
        return process
    }

    func tearDown() {
        for process in processes where process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        processes = []
        for tap in taps {
            _ = try? Self.execute(["ip", "-n", switchNamespace, "link", "del", tap], timeout: 10)
        }
        taps = []
        for namespace in hosts + [switchNamespace] {
            _ = try? Self.execute(["ip", "netns", "del", namespace], timeout: 10)
        }
        hosts = []
    }

    /// Namespaces this process's labs still hold (the tests assert none are left behind).
    static func leftoverNamespaces(prefix: String) throws -> [String] {
        try execute(["ip", "netns", "list"], timeout: 10).output
            .split(separator: "\n")
            .map { String($0.split(separator: " ").first ?? "") }
            .filter { $0.hasPrefix(prefix) }
    }

    private func ip(_ arguments: String...) throws {
        let result = try Self.execute(["ip"] + arguments, timeout: 10)
        guard result.status == 0 else {
            throw Unavailable(description: "ip \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
        }
    }

    struct CommandResult {
        let status: Int32
        let output: String
    }

    static func execute(_ arguments: [String], timeout: Double) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let reader = OutputCollector(pipe.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return CommandResult(status: -1, output: reader.finish(waitingAtMost: 2) + "\n[killed after \(timeout) s]")
        }
        process.waitUntilExit()
        // A command that leaves a daemon behind (dhclient) may keep the pipe open: take what
        // arrived rather than wait for an end of file that never comes.
        return CommandResult(status: process.terminationStatus, output: reader.finish(waitingAtMost: 2))
    }
}

/// Drains a pipe on a background thread so a chatty command cannot block on a full pipe.
private final class OutputCollector: Sendable {
    private let collected = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.withLock { $0.append(chunk) }
            }
            done.signal()
        }
    }

    func finish(waitingAtMost seconds: Double) -> String {
        _ = done.wait(timeout: .now() + seconds)
        return collected.withLock { String(decoding: $0, as: UTF8.self) }
    }
}

private final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
