import BrambleNodeMap
import BrambleWire
import Glibc

/// The hub's own resolvers, the default upstreams when the config names none.
///
/// The hub itself and loopback are left out: on a hub that used to run dnsmasq,
/// resolv.conf often points at 127.0.0.1 or the hub's cluster address, and forwarding
/// there would send bramble's queries back to bramble.
enum ResolvConf {
    static let defaultPath = "/etc/resolv.conf"

    /// The `nameserver` lines of a resolv.conf, IPv4 only, in order, without `excluded`
    /// and 127.0.0.0/8, each once.
    static func upstreams(in text: String, excluding excluded: IPv4Address) -> [UpstreamServer] {
        var servers: [UpstreamServer] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver", let address = IPv4Address(fields[1]),
                  address != excluded, address.value >> 24 != 127, address != .any
            else { continue }
            let server = UpstreamServer(address: address)
            if !servers.contains(server) { servers.append(server) }
        }
        return servers
    }

    /// Reads `path`; a missing or unreadable file gives no upstreams.
    static func upstreams(atPath path: String, excluding excluded: IPv4Address) -> [UpstreamServer] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return upstreams(in: String(decoding: bytes, as: UTF8.self), excluding: excluded)
    }
}
