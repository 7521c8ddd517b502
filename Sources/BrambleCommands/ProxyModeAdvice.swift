import BrambleNodeMap

/// What `bramble check` says about `dhcp-mode = proxy`: that another server must assign the
/// addresses, and which Pi models are known to boot from a proxy offer (docs/proxy-dhcp.md,
/// where the sources are). Nothing in server mode.
enum ProxyModeAdvice {
    static func lines(for settings: BrambleConfig) -> [String] {
        guard settings.dhcpMode == .proxy else { return [] }
        return [
            "DHCP mode: proxy: the LAN's own DHCP server must assign the nodes' addresses; bramble sends Pi and PXE clients boot options only and journals no lease (docs/proxy-dhcp.md)",
            "  Pi 3B, 3B+: boot from a proxy offer (Raspberry Pi's network-boot tutorial runs dnsmasq as a proxy)",
            "  Pi 4B, Pi 400, CM4: boot from a proxy offer with a current bootloader; a 2019 beta EEPROM did not (rpi-eeprom#60): update old ones",
            "  Pi 5, Pi 500, CM5: not documented to boot from a proxy offer, nor to fail; bramble answers them as a Pi 4, unverified on hardware",
            "  DNS: \(settings.dns == .on ? "on: a node's name resolves once bramble has seen the address the router gave it" : "off: no DNS socket is bound")",
        ]
    }
}
