/// What /proc says about one process, for naming the one that holds a port: the links of
/// /proc/PID/fd, /proc/PID/comm and /proc/PID/cgroup (proc(5), cgroups(7)). Pure: the
/// caller reads the files.
public enum ProcessFacts {
    /// The inode of a socket descriptor from its link target, `socket:[INODE]`; nil for
    /// every other kind of descriptor (files, pipes, `anon_inode:...`).
    public static func socketInode(linkTarget: String) -> UInt64? {
        let bytes = Array(linkTarget.utf8)
        let prefix = Array("socket:[".utf8)
        guard bytes.count > prefix.count + 1, bytes.starts(with: prefix), bytes.last == UInt8(ascii: "]") else { return nil }
        let digits = bytes[prefix.count..<(bytes.count - 1)]
        guard digits.count <= 20, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(String(decoding: digits, as: UTF8.self))
    }

    /// A process ID from a /proc directory name: digits only, so `self`, `net` and the rest
    /// are not mistaken for processes.
    public static func processID(directoryName: String) -> Int32? {
        guard !directoryName.isEmpty, directoryName.utf8.count <= 10,
              directoryName.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int32(directoryName).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The command name of /proc/PID/comm: the file's first line (the kernel keeps at most
    /// 15 bytes and ends it with a newline); nil when empty.
    public static func commandName(commFile: String) -> String? {
        let name = commFile.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    /// The systemd service that runs the process, from /proc/PID/cgroup: the last
    /// `NAME.service` component of the unified hierarchy's path (`0::/system.slice/dnsmasq.service`)
    /// or, on a hybrid hierarchy, of the `name=systemd` one. Nil outside a service.
    public static func systemdService(cgroupFile: String) -> String? {
        var path: Substring?
        for line in cgroupFile.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty || parts[1] == "name=systemd" { path = parts[2] }
        }
        guard let path else { return nil }
        return path.split(separator: "/").last { $0.hasSuffix(".service") && $0.utf8.count > ".service".utf8.count }.map(String.init)
    }
}

/// The process found holding a port bramble needs, and how the operator stops it.
public struct PortHolder: Equatable, Sendable {
    public var processID: Int32
    /// /proc/PID/comm, or nil when the process went away or hid it.
    public var command: String?
    /// The systemd service the process runs in, if any.
    public var service: String?

    public init(processID: Int32, command: String?, service: String?) {
        self.processID = processID
        self.command = command
        self.service = service
    }

    /// `systemctl stop UNIT` when the process runs in a service named after it (dnsmasq in
    /// dnsmasq.service: killing it would only make systemd restart it, and stopping it is what
    /// the operator means); `kill PID` otherwise (a dnsmasq started by hand, by a container,
    /// or inside another program's service, where stopping that service would stop more).
    public var stopCommand: String {
        if let service, let command, service.hasPrefix(command + ".") || service.hasPrefix(command + "@") {
            return "systemctl stop \(service.hasSuffix(".service") ? String(service.dropLast(".service".count)) : service)"
        }
        return "kill \(processID)"
    }

    /// `dnsmasq (pid 812)`, as the start-up failure names it.
    public var description: String {
        "\(command ?? "a process") (pid \(processID))"
    }
}
