import BrambleNodeMap
import BrambleWire

/// The options of a reply, in order of importance: the encoder drops from the end when a
/// reply must shrink to the client's maximum message size, so what a client cannot boot
/// without comes first.
struct DHCPReplyOptions {
    let settings: DHCPResponderSettings

    func build(_ type: DHCPMessageType, for request: DHCPMessage, node: NodeEntry?, client: DHCPClientMemory.Client, hostname: String?) -> DHCPOptions {
        let hub = settings.hub.address
        var options = DHCPOptions()
        options[.messageType] = [type.rawValue]
        options.set(.serverIdentifier, address: hub)
        guard type != .nak else {
            options.set(.message, text: "requested address is not this client's")
            return options
        }
        let isInform = request.options.messageType == .inform
        let requested = Set(request.options.parameterRequestList ?? [])
        if !isInform { options.set(.ipAddressLeaseTime, uint32: settings.leaseSeconds) }
        // Sent whether asked or not: some Pi firmware needs them unrequested (firmware#1001).
        options.set(.subnetMask, address: settings.hub.subnet.mask)
        options.set(.router, addresses: [hub])
        if client.kind.isPXE || request.options.vendorClassIdentifier?.hasPrefix("PXEClient") == true {
            options.set(.vendorClassIdentifier, text: "PXEClient")
            // Every Pi firmware ignores offers without it: recognised by option 97 alone,
            // the Pi 5's `RPi5` included (docs/raspberry-pi-netboot.md, option 43).
            if client.kind.isRaspberryPiFirmware {
                options[.vendorSpecificInformation] = settings.bootMenu.vendorSpecificInformation
            }
            if let guid = request.options[.clientMachineIdentifier] { options[.clientMachineIdentifier] = guid }
        }
        // The TFTP server as text without a trailing NUL; the Pi 4 reads it, the Pi 3 takes
        // the server from the OFFER's source address (boot-net.adoc; docs/raspberry-pi-netboot.md).
        if client.kind.isPXE || requested.contains(.tftpServerName) {
            options.set(.tftpServerName, text: hub.description)
        }
        options.set(.domainNameServer, addresses: [hub])
        options.set(.broadcastAddress, address: settings.hub.subnet.broadcast)
        if requested.contains(.rootPath) || node?.settings.root != nil {
            options.set(.rootPath, text: rootPath(for: node))
        }
        if let hostname { options.set(.hostName, text: hostname) }
        options.set(.domainName, text: settings.domain)
        if !isInform {
            options.set(.renewalTime, uint32: settings.leaseSeconds / 2)
            options.set(.rebindingTime, uint32: settings.leaseSeconds / 8 * 7)
        }
        return options
    }

    /// The node's `root=` (a bare path is on the hub), else the hub's shared root.
    func rootPath(for node: NodeEntry?) -> String {
        guard let root = node?.settings.root else { return settings.defaultRootPath }
        return root.hasPrefix("/") ? "\(settings.hub.address):\(root)" : root
    }
}
