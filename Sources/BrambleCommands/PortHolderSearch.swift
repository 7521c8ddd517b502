import BrambleNodeMap
import BrambleProcfs
import BrambleWire
import Glibc

/// Finds which processes hold the ports `bramble serve` needs, from /proc: the socket
/// tables give the inode of each socket bound to a port, and the process whose
/// /proc/PID/fd holds a link `socket:[INODE]` is the one holding it (what `ss -p` and
/// `fuser` do; proc(5)).
///
/// `procRoot` is `/proc`; tests point it at a directory laid out the same way.
struct PortHolderSearch {
    /// A port bramble binds: the transport, the number, and what bramble serves on it.
    struct Port: Equatable {
        let transport: SocketTransport
        let number: UInt16
        let service: String

        /// bramble's own ports (``ServedPort``), in the order `bramble serve` binds them.
        static let served = ServedPort.all.map { Port(transport: $0.isTCP ? .tcp : .udp, number: $0.number, service: $0.service) }

        /// The ports a configuration binds: DNS only with `dns = on`, the netconsole port when set.
        static func served(by configuration: BrambleConfig) -> [Port] {
            served.filter { configuration.dns == .on || $0.number != 53 }
                + (configuration.netconsolePort.map { [Port(transport: .udp, number: $0.value, service: "netconsole")] } ?? [])
        }

        var description: String { "\(transport.rawValue) port \(number) (\(service))" }
    }

    /// A port that is taken, and every process found with a descriptor of a socket on it
    /// (none when the socket's owner could not be seen, such as a process in another PID
    /// namespace).
    struct Conflict: Equatable {
        let port: Port
        let holders: [PortHolder]
    }

    /// The tables are read from /proc/self/net first: systemd's `ProcSubset=pid` (as
    /// bramble.service sets) hides /proc/net but not the process's own directory.
    var procRoot = "/proc"

    /// The taken ports of `ports` on `address` (or the wildcard), with their holders.
    func conflicts(for ports: [Port] = Port.served, on address: IPv4Address) -> [Conflict] {
        let tables: [(name: String, family: SocketTable.Family, transport: SocketTransport)] = [
            ("udp", .ipv4, .udp), ("udp6", .ipv6, .udp), ("tcp", .ipv4, .tcp), ("tcp6", .ipv6, .tcp),
        ]
        var inodes: [Int: Set<UInt64>] = [:]
        for table in tables {
            // A missing table (IPv6 disabled) or one this parser cannot read holds no conflict it can name.
            guard let text = (try? TextFile.read("\(procRoot)/self/net/\(table.name)")) ?? (try? TextFile.read("\(procRoot)/net/\(table.name)")),
                  let entries = try? SocketTable.parse(text, family: table.family) else { continue }
            for (index, port) in ports.enumerated() where port.transport == table.transport {
                for entry in entries where entry.blocks(port: port.number, transport: port.transport, on: address) {
                    inodes[index, default: []].insert(entry.inode)
                }
            }
        }
        guard !inodes.isEmpty else { return [] }
        let owners = socketOwners(of: inodes.values.reduce(into: Set()) { $0.formUnion($1) })
        return ports.indices.compactMap { index in
            guard let wanted = inodes[index] else { return nil }
            let pids = Set(wanted.flatMap { owners[$0] ?? [] }).sorted()
            return Conflict(port: ports[index], holders: pids.map(holder))
        }
    }

    /// Each inode's owning processes, from every /proc/PID/fd/N link `socket:[INODE]`.
    private func socketOwners(of inodes: Set<UInt64>) -> [UInt64: [Int32]] {
        var owners: [UInt64: [Int32]] = [:]
        // A directory that cannot be read (a process that exited meanwhile, another user's
        // fd directory) holds nothing this search can name.
        for name in TextFile.directoryNames(procRoot) ?? [] {
            guard let pid = ProcessFacts.processID(directoryName: name) else { continue }
            let fdDirectory = "\(procRoot)/\(name)/fd"
            for fd in TextFile.directoryNames(fdDirectory) ?? [] {
                guard let target = linkTarget("\(fdDirectory)/\(fd)"), let inode = ProcessFacts.socketInode(linkTarget: target),
                      inodes.contains(inode) else { continue }
                if owners[inode]?.contains(pid) != true { owners[inode, default: []].append(pid) }
            }
        }
        return owners
    }

    private func holder(_ pid: Int32) -> PortHolder {
        let comm = (try? TextFile.read("\(procRoot)/\(pid)/comm")).flatMap(ProcessFacts.commandName)
        let service = (try? TextFile.read("\(procRoot)/\(pid)/cgroup")).flatMap(ProcessFacts.systemdService)
        return PortHolder(processID: pid, command: comm, service: service)
    }

    private func linkTarget(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
