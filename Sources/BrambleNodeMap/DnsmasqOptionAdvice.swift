import BrambleWire

/// What each dnsmasq option (other than `dhcp-host`) becomes under bramble.
///
/// The options named here are the ones met in Raspberry Pi and cluster configurations
/// (docs/design.md, lessons from dnsmasq); every other option is reported as not supported, because an
/// operator who reads nothing about a line would assume it still takes effect.
enum DnsmasqOptionAdvice {
    struct Hint {
        let kind: ConfigHint.Kind
        let advice: String
    }

    /// - Parameters:
    ///   - option: the long option name, without `--`.
    ///   - value: the text after `=`, or nil for a flag.
    static func hint(option: Substring, value: Substring?, subnet: IPv4Subnet) -> Hint {
        let fields = value.map { DnsmasqText.fields(of: $0, separatedBy: UInt8(ascii: ",")) } ?? []
        let first = fields.first.map(String.init) ?? ""
        switch option {
        case "interface":
            return interface(fields)
        case "domain":
            return first.isEmpty ? unsupported("it names no domain") : setting("domain", first)
        case "dhcp-range":
            return range(fields, subnet: subnet)
        case "tftp-root":
            return tftpRoot(first)
        case "server":
            return server(first)
        case "listen-address":
            return listenAddress(fields, subnet: subnet)
        case "enable-tftp":
            return builtIn("bramble always serves TFTP from the `boot/` directory of `pxe`")
        case "pxe-service", "dhcp-boot", "pxe-prompt":
            return builtIn("bramble sends the Raspberry Pi boot menu (option 43, 'Raspberry Pi Boot') and the TFTP server (option 66) itself")
        case "log-dhcp":
            return builtIn("per-node boot logs replace it (`bramble logs NODE`, `bramble status`)")
        case "dhcp-reply-delay":
            return builtIn("bramble delays its replies to Raspberry Pi boot ROMs itself (dnsmasq's delay here: \(fields.last ?? "none")s)")
        case "dhcp-lease-max":
            return builtIn("every node in the node map gets its address; only the optional `pool` is limited, by its range")
        case "no-ping":
            return builtIn("bramble never pings an address before offering it")
        case "bind-interfaces", "bind-dynamic", "except-interface", "no-dhcp-interface":
            return builtIn("bramble listens on the cluster interface (`interface`) only")
        case "dhcp-match", "dhcp-vendorclass", "dhcp-userclass", "dhcp-mac":
            return builtIn("bramble recognises Raspberry Pi clients (vendor class, option 97) itself; tags are not kept")
        case "tftp-max":
            return first.isEmpty ? unsupported("it names no number") : setting("tftp-max-transfers", first)
        case "tftp-unique-root":
            return builtIn("bramble serves per-node boot files itself (`boot/<serial>/` and per-node templates)")
        case "local":
            return builtIn("bramble answers for the cluster domain itself and never forwards its names")
        case "expand-hosts":
            return builtIn("bramble answers node names with and without the cluster domain")
        case "no-resolv":
            return builtIn("once `upstream` is set, bramble forwards only to those servers")
        case "resolv-file":
            return unsupported("bramble reads /etc/resolv.conf when no `upstream` is set; name other resolvers with `upstream`")
        case "user", "group":
            return builtIn("bramble drops its privileges itself once its sockets are bound")
        case "dhcp-leasefile":
            return builtIn("bramble keeps its leases in its state directory (`state-dir`)")
        case "dhcp-hostsfile", "conf-file":
            return importAlso(first, what: "that file")
        case "dhcp-hostsdir":
            return importAlso(first, what: "each file in that directory")
        case "conf-dir":
            return importAlso(first, what: "each configuration file in that directory")
        case "read-ethers":
            return importAlso("/etc/ethers", what: "/etc/ethers")
        case "addn-hosts":
            return addnHosts(first)
        case "dhcp-option", "dhcp-option-force":
            return unsupported("bramble sends the subnet mask, router, DNS server, domain and Pi boot options itself")
        case "host-record", "address", "cname", "ptr-record":
            return unsupported("bramble's DNS answers the node map's names, `switch` and `hub`")
        case "port":
            return first == "0"
                ? Hint(kind: .setting(key: "dns", value: "off"), advice: "set `dns = off` in bramble.conf (dnsmasq's DNS was off; bramble then binds no DNS socket)")
                : unsupported(nil)
        default:
            return unsupported(nil)
        }
    }

    private static func interface(_ fields: [Substring]) -> Hint {
        guard let first = fields.first, !first.isEmpty else { return unsupported("it names no interface") }
        guard fields.count == 1 else {
            let others = fields.dropFirst().joined(separator: ", ")
            return Hint(kind: .setting(key: "interface", value: String(first)),
                        advice: "set `interface = \(first)` in bramble.conf (bramble serves one interface; not imported: \(others))")
        }
        return setting("interface", String(first))
    }

    /// `dhcp-range=[tag:..,][set:..,]START[,END|MODE][,NETMASK[,BROADCAST]][,LEASE]`.
    private static func range(_ fields: [Substring], subnet: IPv4Subnet) -> Hint {
        let isTagField = { (field: Substring) in
            ["tag:", "set:", "net:", "interface:"].contains { DnsmasqText.hasPrefix(field, $0) }
        }
        let rest = Array(fields.drop(while: isTagField))
        if rest.contains("proxy") {
            return Hint(kind: .setting(key: "dhcp-mode", value: "proxy"),
                        advice: "set `dhcp-mode = proxy` in bramble.conf (proxy DHCP beside the network's own DHCP server: docs/proxy-dhcp.md)")
        }
        guard let startText = rest.first, let start = IPv4Address(startText) else {
            return unsupported("bramble serves DHCPv4 ranges only")
        }
        let leaseTime = rest.dropFirst().last { DnsmasqHostField(classifying: $0) == .leaseTime($0) }
        let leaseAdvice = leaseTime.map { "; dnsmasq's lease time here was \($0): `lease-time` sets bramble's" } ?? ""
        if rest.contains("static") {
            return Hint(kind: .builtIn,
                        advice: "not needed: bramble answers the node map's machines without a pool (`pool` is off unless set)\(leaseAdvice)")
        }
        guard rest.count >= 2, let end = IPv4Address(rest[1]) else {
            return unsupported("the range has no end address")
        }
        guard subnet.hostNumber(of: start) != nil, subnet.hostNumber(of: end) != nil, start <= end else {
            return unsupported("\(start)-\(end) is not a range of host addresses in the cluster subnet \(subnet)")
        }
        let pool = "\(start)-\(end)"
        return Hint(kind: .setting(key: "pool", value: pool), advice: "set `pool = \(pool)` in bramble.conf\(leaseAdvice)")
    }

    /// bramble serves TFTP from `boot/` inside its pxe directory, so `/pxe/boot` maps to `pxe = /pxe`.
    private static func tftpRoot(_ root: String) -> Hint {
        var path = root[...]
        while path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") {
            path = path[..<path.utf8.index(before: path.endIndex)]
        }
        guard DnsmasqText.hasPrefix(path, "/"), let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else {
            return unsupported("'\(root)' is not an absolute path")
        }
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        let last = path[path.utf8.index(after: slash)...]
        if last == "boot" { return setting("pxe", parent) }
        let boot = parent == "/" ? "/boot" : "\(parent)/boot"
        return Hint(kind: .setting(key: "pxe", value: parent),
                    advice: "set `pxe = \(parent)` in bramble.conf and move the boot files from \(path) to \(boot) "
                        + "(bramble serves `boot/` inside the pxe directory)")
    }

    /// `server=IP[#PORT][@SOURCE]` forwards everything; `server=/domain/IP` only some names.
    private static func server(_ value: String) -> Hint {
        let text = value[...]
        if DnsmasqText.hasPrefix(text, "/") {
            return unsupported("bramble forwards every name outside the cluster domain to the same upstream servers")
        }
        let target = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPv4Address(parts[0]) else {
            return unsupported("bramble takes IPv4 upstream servers")
        }
        guard parts.count == 2 else { return setting("upstream", "\(address)") }
        guard let port = UInt16(parts[1]), port > 0 else {
            return unsupported("'\(parts[1])' is not a port number")
        }
        return setting("upstream", "\(address):\(port)")
    }

    private static func listenAddress(_ fields: [Substring], subnet: IPv4Subnet) -> Hint {
        let addresses = fields.compactMap { IPv4Address($0) }
        if let cluster = addresses.first(where: { subnet.hostNumber(of: $0) != nil }) {
            return setting("address", "\(cluster)/\(subnet.prefixLength)")
        }
        return builtIn("bramble listens on the cluster address (`address`) only")
    }

    /// Extra hosts files hold names and addresses but no MACs: importing one reports each line
    /// (as an /etc/hosts line), which shows the operator which names to carry over by hand.
    private static func addnHosts(_ path: String) -> Hint {
        guard !path.isEmpty else { return unsupported("it names no file") }
        return Hint(kind: .importAlso(path: path),
                    advice: "import that file too to see its names (`bramble nodes import-dnsmasq \(path)`): "
                        + "it holds no MACs, so add its names to the node map's nodes by hand")
    }

    private static func setting(_ key: String, _ value: String) -> Hint {
        Hint(kind: .setting(key: key, value: value), advice: "set `\(key) = \(value)` in bramble.conf")
    }

    private static func builtIn(_ why: String) -> Hint {
        Hint(kind: .builtIn, advice: "not needed: \(why)")
    }

    private static func importAlso(_ path: String, what: String) -> Hint {
        guard !path.isEmpty else { return unsupported("it names no file") }
        return Hint(kind: .importAlso(path: path), advice: "import \(what) too: `bramble nodes import-dnsmasq \(path)`")
    }

    private static func unsupported(_ why: String?) -> Hint {
        Hint(kind: .unsupported, advice: "not supported by bramble; not imported" + (why.map { " (\($0))" } ?? ""))
    }
}
