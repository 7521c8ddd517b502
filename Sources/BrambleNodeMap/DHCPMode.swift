/// Whether bramble is the subnet's DHCP server or a proxyDHCP server beside another one.
///
/// `server` (the default) hands out addresses and boot options. `proxy` answers only PXE
/// and Raspberry Pi boot clients, with an offer that carries no address, only the boot
/// options (server identifier, TFTP server, option 43 menu, option 97), and leaves every
/// address to the network's own DHCP server: dnsmasq's `dhcp-range=ADDRESS,proxy`, which
/// Raspberry Pi's network-boot tutorial uses (docs/proxy-dhcp.md).
public enum DHCPMode: String, CaseIterable, Hashable, Sendable {
    case server
    case proxy

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard let mode = DHCPMode(rawValue: text.lowercased()) else {
            throw InvalidConfigValue(
                "'\(text)' is not a DHCP mode: use server (bramble assigns addresses) or proxy (another DHCP server does; bramble sends only boot options)")
        }
        self = mode
    }
}

/// `dns = on | off`: whether bramble binds its DNS sockets. Off suits proxy mode on a LAN
/// whose router already resolves names.
public enum DNSMode: String, CaseIterable, Hashable, Sendable {
    case on
    case off

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard let mode = DNSMode(rawValue: text.lowercased()) else {
            throw InvalidConfigValue("'\(text)' is not on or off: write dns = on to serve the cluster's names, dns = off to bind no DNS socket")
        }
        self = mode
    }
}
