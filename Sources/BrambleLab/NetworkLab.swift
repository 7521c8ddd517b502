import Foundation
import Synchronization

/// A throwaway virtual network in Linux network namespaces: a switch namespace holding a
/// bridge, and host namespaces (a hub, clients, simulated Pis) each wired to it by a veth
/// pair. The one lab both `bramble demo` and the integration tests build, so the two cannot
/// drift apart.
///
/// The safety rules live here: every address a lab uses exists only inside namespaces it
/// created; every name starts with the lab's prefix, which carries the creating process's
/// pid, so two runs never collide and an abandoned lab can be recognised; `tearDown` (also
/// on deinit) stops every process the lab started, kills whatever else still runs inside
/// its namespaces and deletes them. Needs root (`ip netns add`).
public final class NetworkLab {
    /// Names begin with this: `PREFIX-sw` for the switch, `PREFIX-NAME` for each host.
    public let prefix: String
    public var switchNamespace: String { "\(prefix)-sw" }
    /// The host namespaces, in the order they were added.
    public private(set) var hosts: [String] = []
    /// Tap devices in the switch namespace: deleted before it, so none can outlive the lab.
    private var taps: [String] = []
    /// Each host's port on the bridge (a veth in the switch namespace), by host namespace.
    private var ports: [String: String] = [:]
    private var processes: [Process] = []
    private var built = false

    /// Why the lab could not be built, or a command in it not run: one line to act on.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// The result of a command run to completion: its exit status (-1 when it was killed
    /// at its time limit) and what it printed on both streams.
    public struct CommandResult: Sendable {
        public let status: Int32
        public let output: String
    }

    /// A host to wire to the bridge: its name (the namespace is `PREFIX-NAME`), its
    /// interface `eth0`'s MAC and address (`10.42.0.250/24`), each optional.
    public struct Host: Sendable {
        public let name: String
        public let address: String?
        public let mac: String?

        public init(_ name: String, address: String? = nil, mac: String? = nil) {
            self.name = name
            self.address = address
            self.mac = mac
        }
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// Creates the switch namespace and its bridge. `prefix` must be unique to this process
    /// and begin with a family name and the process's pid (``uniquePrefix(_:)`` makes one),
    /// which is how ``removeAbandoned(family:)`` tells a lab whose process is gone.
    public init(prefix: String) throws {
        guard Self.isRoot else { throw Unavailable(description: "network namespaces need root; running as uid \(geteuid())") }
        self.prefix = prefix
        try Self.ip(["netns", "add", switchNamespace])
        built = true
        try Self.ip(["-n", switchNamespace, "-batch", "-"], input: "link set lo up\nlink add br0 type bridge\nlink set br0 up\n")
    }

    deinit { tearDown() }

    private static let counter = Mutex(0)

    /// `FAMILYPIDxN`: the family names the kind of lab (`brt` for the tests), the pid keeps
    /// parallel processes apart, N counts the labs of this process.
    public static func uniquePrefix(_ family: String) -> String {
        let number = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return "\(family)\(getpid())x\(number)"
    }

    /// The namespace of the host called `name`.
    public func namespace(_ name: String) -> String { "\(prefix)-\(name)" }

    /// Adds a host namespace with interface `eth0` plugged into the bridge, optionally with
    /// an address (`10.42.0.250/24`) and a MAC; returns the namespace's name.
    @discardableResult
    public func addHost(_ name: String, address: String? = nil, mac: String? = nil) throws -> String {
        try addHosts([Host(name, address: address, mac: mac)])[0]
    }

    /// Adds many hosts in a few `ip -batch` runs rather than hundreds of `ip` calls (the
    /// demo's 49 namespaces take well under a second); returns their namespaces in order.
    @discardableResult
    public func addHosts(_ new: [Host]) throws -> [String] {
        let namespaces = new.map { namespace($0.name) }
        var add = ""
        for name in namespaces {
            add += "netns add \(name)\n"
        }
        try Self.ip(["-batch", "-"], input: add)
        hosts += namespaces
        var wiring = ""
        for name in namespaces {
            let port = "p\(ports.count)"
            ports[name] = port
            wiring += "link add \(port) type veth peer name eth0 netns \(name)\n"
            wiring += "link set \(port) master br0 up\n"
        }
        try Self.ip(["-n", switchNamespace, "-batch", "-"], input: wiring)
        for (host, name) in zip(new, namespaces) {
            var setup = "link set lo up\n"
            if let mac = host.mac { setup += "link set eth0 address \(mac)\n" }
            setup += "link set eth0 up\n"
            if let address = host.address { setup += "addr add \(address) dev eth0\n" }
            try Self.ip(["-n", name, "-batch", "-"], input: setup)
        }
        return namespaces
    }

    /// Adds a host namespace outside the cluster subnet, wired straight to `router` (a host
    /// on the bridge) rather than to the bridge: the host gets `eth0` with `address` and a
    /// default route through `gateway`, which the router holds on its interface `link`;
    /// the router forwards between the two. Returns the new namespace's name.
    @discardableResult
    public func addHost(_ name: String, address: String, behind router: String, link: String, gateway: String) throws -> String {
        let namespace = namespace(name)
        try Self.ip(["netns", "add", namespace])
        hosts.append(namespace)
        try Self.ip(["-n", router, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", namespace])
        let prefixLength = address.split(separator: "/").last.map(String.init) ?? "24"
        try Self.ip(["-n", router, "addr", "add", "\(gateway)/\(prefixLength)", "dev", link])
        try Self.ip(["-n", router, "link", "set", link, "up"])
        try Self.ip(["-n", namespace, "-batch", "-"], input: """
            link set lo up
            link set eth0 up
            addr add \(address) dev eth0
            route add default via \(gateway)

            """)
        let forwarding = try run(in: router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        guard forwarding.status == 0 else { throw Unavailable(description: "cannot enable forwarding in \(router): \(forwarding.output)") }
        return namespace
    }

    /// Slows what the bridge sends to `host` to `rate` (tc's token bucket, e.g. `1mbit`), so
    /// a transfer to it lasts long enough to be caught in the middle.
    public func shapeTraffic(to host: String, rate: String) throws {
        guard let port = ports[host] else { throw Unavailable(description: "\(host) is not on the bridge") }
        try Self.ip(["netns", "exec", switchNamespace, "tc", "qdisc", "add", "dev", port, "root", "tbf", "rate", rate, "burst", "16kb", "latency", "2s"])
    }

    /// Adds a tap device plugged into the bridge, for a virtual machine (QEMU's `-netdev tap`)
    /// started in the switch namespace; returns the device's name there.
    @discardableResult
    public func addTap(_ name: String) throws -> String {
        try Self.ip(["-n", switchNamespace, "tuntap", "add", "dev", name, "mode", "tap"])
        taps.append(name)
        try Self.ip(["-n", switchNamespace, "link", "set", name, "master", "br0", "up"])
        return name
    }

    /// Runs a command in a namespace to completion, with a time limit; returns its output.
    @discardableResult
    public func run(in namespace: String, _ arguments: [String], timeout: Double = 30) throws -> CommandResult {
        try Self.execute(["ip", "netns", "exec", namespace] + arguments, timeout: timeout)
    }

    /// Starts a long-running command (a server, a simulated Pi) in a namespace, both its
    /// streams written to the file `output` and no input; the lab stops it on tear-down.
    public func start(in namespace: String, _ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace] + arguments
        guard FileManager.default.createFile(atPath: output, contents: nil) else {
            throw Unavailable(description: "cannot create \(output)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        processes.append(process)
        return process
    }

    /// Stops a process: SIGTERM, then SIGKILL after `grace` seconds.
    public static func stop(_ process: Process, grace: Double = 3) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Stops every process the lab started, kills anything else left inside its namespaces
    /// (a daemon a client forked, such as dhclient), deletes its taps and its namespaces.
    /// Safe to call more than once.
    public func tearDown() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for process in processes { Self.stop(process, grace: 3) }
        processes = []
        for tap in taps {
            _ = try? Self.execute(["ip", "-n", switchNamespace, "link", "del", tap], timeout: 10)
        }
        taps = []
        Self.remove(namespaces: hosts.reversed() + (built ? [switchNamespace] : []))
        hosts = []
        ports = [:]
        built = false
    }

    /// Kills what runs inside the namespaces and deletes them.
    private static func remove(namespaces: [String]) {
        for namespace in namespaces {
            if let pids = try? execute(["ip", "netns", "pids", namespace], timeout: 10) {
                for pid in pids.output.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? execute(["ip", "netns", "del", namespace], timeout: 10)
        }
    }

    /// Namespaces whose names start with `prefix` (none should be left after tear-down).
    public static func leftoverNamespaces(prefix: String) throws -> [String] {
        try execute(["ip", "netns", "list"], timeout: 10).output
            .split(separator: "\n")
            .map { String($0.split(separator: " ").first ?? "") }
            .filter { $0.hasPrefix(prefix) }
    }

    /// Removes the namespaces of earlier labs of `family` whose process is gone (killed
    /// with SIGKILL, which no clean-up survives): a name `FAMILYPID...` whose PID no longer
    /// runs. Returns how many were removed.
    public static func removeAbandoned(family: String) -> Int {
        let abandoned = ((try? leftoverNamespaces(prefix: family)) ?? []).filter { name in
            guard let pid = Int32(name.dropFirst(family.count).prefix { $0.isNumber }) else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        remove(namespaces: abandoned)
        return abandoned.count
    }

    private static func ip(_ arguments: [String], input: String? = nil) throws {
        let result = try execute(["ip"] + arguments, input: input, timeout: 10)
        guard result.status == 0 else {
            let shown = arguments == ["-batch", "-"] || arguments.last == "-" ? "\(arguments.joined(separator: " ")) <<< \(input ?? "")" : arguments.joined(separator: " ")
            throw Unavailable(description: "ip \(shown) failed (\(result.status)): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Runs a command outside the namespaces to completion (at most `timeout` s), feeding it
    /// `input`; a command still running then is killed and its status is -1.
    public static func execute(_ arguments: [String], input: String? = nil, timeout: Double) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let feed = input.map { _ in Pipe() }
        process.standardInput = feed ?? FileHandle.nullDevice
        try process.run()
        let reader = OutputCollector(pipe.fileHandleForReading)
        if let feed, let input {
            feed.fileHandleForWriting.write(Data(input.utf8))
            try feed.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
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
