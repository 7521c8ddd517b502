import BrambleNodeMap
import BrambleProcfs
import BrambleWire
import Glibc

/// What `bramble serve` checks before it binds anything, so that the usual reasons it cannot
/// serve are each one message saying what to do, instead of a system call's errno: the
/// cluster interface is missing, the hub address is not on it, the boot tree is missing, or
/// another server (dnsmasq, most often, on a hub being switched over) holds a port.
struct ServePreflight {
    let configuration: BrambleConfig
    /// Where the settings came from, for the messages: the config file, or nil for the
    /// built-in defaults and flags.
    let configPath: String?
    var procRoot = "/proc"

    func check() throws(ServeStartupProblem) {
        let interface = configuration.interface.name
        guard if_nametoindex(interface) != 0 else { throw .noInterface(interface, where: settingSource("interface")) }
        let addresses = Self.ipv4Addresses(of: interface)
        guard addresses.contains(configuration.address.address) else {
            throw .addressNotConfigured(configuration.address, interface: interface, present: addresses, where: settingSource("address"))
        }
        guard TextFile.isDirectory(configuration.bootDirectory) else {
            throw .noBootTree(configuration.bootDirectory, where: settingSource("pxe"))
        }
        let conflicts = PortHolderSearch(procRoot: procRoot).conflicts(
            for: PortHolderSearch.Port.served(by: configuration), on: configuration.address.address)
        guard conflicts.isEmpty else { throw .portsTaken(conflicts, address: configuration.address.address) }
    }

    private func settingSource(_ key: String) -> String {
        configPath.map { "`\(key)` in \($0) (or --\(key))" } ?? "`\(key)` in bramble.conf (or --\(key))"
    }

    /// The IPv4 addresses configured on `interface` (getifaddrs(3)).
    static func ipv4Addresses(of interface: String) -> [IPv4Address] {
        ipv4Interfaces(of: interface).map(\.address)
    }

    /// The IPv4 addresses configured on `interface`, with their prefixes.
    static func ipv4Interfaces(of interface: String) -> [IPv4Interface] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var addresses: [IPv4Interface] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let current = cursor {
            defer { cursor = current.pointee.ifa_next }
            guard let name = current.pointee.ifa_name, String(cString: name) == interface,
                  let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            let mask = current.pointee.ifa_netmask.map { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            } ?? 0xffff_ff00
            if let interface = IPv4Interface("\(IPv4Address(UInt32(bigEndian: value)))/\(mask.nonzeroBitCount)") { addresses.append(interface) }
        }
        return addresses
    }
}

/// Why `bramble serve` did not start, phrased as what to do.
enum ServeStartupProblem: Error, Equatable, UserFacingError {
    case noInterface(String, where: String)
    case addressNotConfigured(IPv4Interface, interface: String, present: [IPv4Address], where: String)
    case noBootTree(String, where: String)
    case portsTaken([PortHolderSearch.Conflict], address: IPv4Address)

    var message: String {
        switch self {
        case .noInterface(let name, let source):
            return "bramble serve: there is no interface \(name) on this machine: set \(source) to the cluster interface (`ip -br link` lists them)."
        case .addressNotConfigured(let address, let interface, let present, let source):
            let has = present.isEmpty ? "has no IPv4 address" : "has \(present.map(String.init(describing:)).joined(separator: ", "))"
            return "bramble serve: \(interface) \(has), not \(address.address): add it (`ip addr add \(address) dev \(interface)`, "
                + "and in the hub's network configuration to keep it) or set \(source) to the hub's address on \(interface)."
        case .noBootTree(let path, let source):
            return "bramble serve: there is no boot tree at \(path): copy the Raspberry Pi boot files (the image's boot partition) "
                + "there, or set \(source) to the directory that holds boot/."
        case .portsTaken(let conflicts, let address):
            var lines = ["bramble serve: another server holds ports bramble needs on \(address):"]
            var stops: [String] = []
            for conflict in conflicts {
                let holders = conflict.holders.map(\.description).joined(separator: ", ")
                lines.append("  \(conflict.port.description): " + (holders.isEmpty ? "held by a process this user cannot see" : "held by \(holders)"))
                for holder in conflict.holders where !stops.contains(holder.stopCommand) { stops.append(holder.stopCommand) }
            }
            if !stops.isEmpty {
                lines.append("stop it first (`\(stops.joined(separator: "`, then `"))`), then start bramble serve again.")
            }
            if conflicts.contains(where: \.holders.isEmpty) {
                lines.append("As root, `ss -lunpt` names every process holding a port (bramble.service cannot see other processes: ProtectProc=invisible).")
            }
            if conflicts.contains(where: { $0.holders.contains { $0.command == "dnsmasq" } }) {
                lines.append("Moving the hub from dnsmasq: `bramble migrate --apply` stops and disables it and starts bramble (docs/migrate.md).")
            }
            return lines.joined(separator: "\n")
        }
    }
}
