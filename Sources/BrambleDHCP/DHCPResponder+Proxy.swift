import BrambleNodeMap
import BrambleWire

/// proxyDHCP (`dhcp-mode = proxy`): bramble beside the network's own DHCP server.
///
/// The PXE specification (2.1, "ProxyDHCP") lets a second server answer a
/// PXE client's DISCOVER with an offer that holds no address, only boot options; the
/// client takes its address from the ordinary server's offer and its boot options from
/// this one. dnsmasq does it with `dhcp-range=ADDRESS,proxy`, and Raspberry Pi's
/// network-boot tutorial runs it so (raspberrypi/documentation, `net_tutorial.md`).
/// What dnsmasq's proxy sends a Pi, seen in dnsmasq logs of real Pi boots (for instance
/// raspberrypi/firmware#1605), is options 53, 54, 60 `PXEClient`, 97 echoed and 43 with
/// the boot menu, broadcast, and nothing for the address: this offer is that, plus siaddr
/// and option 66 naming the TFTP server as the full server's offer does.
///
/// Everything else is left alone: a client that is no boot client, and every message but
/// a boot client's DISCOVER, gets no answer (dnsmasq's proxy answers port 67 DISCOVERs
/// only, rfc2131.c). Nothing is journaled: no lease is bramble's. Requests still say which
/// address a node took (``NodeAddressSighting``), and the client memory keeps the Pis'
/// serials for TFTP, for nodes of the map only, so forged MACs hold no state beyond the
/// once-a-minute report of unknown MACs that the full server keeps too.
extension DHCPResponder {
    mutating func respondAsProxy(to request: DHCPMessage, messageType: DHCPMessageType, mac: MACAddress, now: MonotonicInstant) -> DHCPResponse {
        let node = nodeMap.node(mac: mac)
        let option97 = request.options[.clientMachineIdentifier].map(RaspberryPiOption97.init)
        let identity = RaspberryPiClientIdentity(options: request.options, option97: option97)
        var kind = DHCPClientMemory.kind(of: request, identity: identity)
        var client = DHCPClientMemory.Client(kind: kind, serial: nil, boardRevision: nil, bootloaderGeneration: nil, transactionID: request.transactionID)
        if node != nil {
            client = memory.observe(request, mac: mac, identity: identity)
            kind = client.kind
        }
        var event = DHCPEvent(
            mac: mac, nodeID: node?.id, nodeName: node?.name, received: messageType, client: kind,
            serial: client.serial,
            relay: request.relayAgentAddress == .any ? nil : request.relayAgentAddress, outcome: .ignored(.addressingLeftToNetwork),
            transactionID: request.transactionID, boardRevision: client.boardRevision, clientMachineIdentifier: option97)
        var response = DHCPResponse()
        response.sighting = NodeAddressSighting.fromRequest(request, nodeMap: nodeMap, hub: settings.hub)

        func ignored(_ reason: DHCPIgnoreReason, worthLogging: Bool = true) -> DHCPResponse {
            event.outcome = .ignored(reason)
            event.worthLogging = worthLogging
            response.event = event
            return response
        }

        if request.relayAgentAddress != .any, !settings.hub.subnet.contains(request.relayAgentAddress) {
            return ignored(.foreignRelay(request.relayAgentAddress))
        }
        // A boot client's request with a broken option 97 is not taken for a Pi or a PC: the
        // menu in option 43 would make a PC boot locally (RaspberryPiClientIdentity).
        if case .unexpectedLayout(let type, let length)? = option97, request.options.vendorClassIdentifier?.hasPrefix("PXEClient") == true {
            return ignored(.malformedClientMachineIdentifier(type: type, length: length), worthLogging: node != nil)
        }
        // LAN traffic that is not bramble's: logged for the nodes only, whose kernel DHCP
        // is a boot step; a home LAN's phones would bury the log.
        guard kind.isPXE else { return ignored(.addressingLeftToNetwork, worthLogging: node != nil) }
        guard let node else { return ignored(.unknownMAC, worthLogging: memory.shouldReportUnknown(mac, now: now)) }
        if node.settings.disabled { return ignored(.disabledNode) }
        if let server = request.options.serverIdentifier, server != settings.hub.address, messageType == .request {
            return ignored(.otherServerChosen(server))
        }
        guard messageType == .discover else { return ignored(.addressingLeftToNetwork) }
        let file = bootFile(for: client)
        guard kind.isRaspberryPiFirmware || file != nil else { return ignored(.noBootFileForClient) }

        event.outcome = .replied(.offer, address: nil)
        response.event = event
        response.reply = proxyOffer(to: request, mac: mac, client: client, bootFile: file)
        if kind == .pi3BBootROM { response.delayMilliseconds = settings.pi3BReplyDelayMilliseconds }
        return response
    }

    /// The proxy offer: no yiaddr and none of the address options (mask, router, lease,
    /// DNS), so it cannot compete with the network server's offer; the boot options in the
    /// order the encoder keeps them when the client's size limit bites.
    func proxyOffer(to request: DHCPMessage, mac: MACAddress, client: DHCPClientMemory.Client, bootFile: String?) -> DHCPReply {
        let hub = settings.hub.address
        var options = DHCPOptions()
        options[.messageType] = [DHCPMessageType.offer.rawValue]
        options.set(.serverIdentifier, address: hub)
        options.set(.vendorClassIdentifier, text: "PXEClient")
        if client.kind.isRaspberryPiFirmware {
            // Every Pi firmware ignores offers without the boot menu (docs/raspberry-pi-netboot.md).
            options[.vendorSpecificInformation] = settings.bootMenu.vendorSpecificInformation
        } else {
            options[.vendorSpecificInformation] = Self.useBootFileDiscoveryControl
        }
        if let guid = request.options[.clientMachineIdentifier] { options[.clientMachineIdentifier] = guid }
        // The Pi 4/5 bootloader reads the TFTP server here; the Pi 3 ROM takes the source
        // address of the offer that carried the menu, which is this one (boot-net.adoc).
        options.set(.tftpServerName, text: hub.description)
        var reply = DHCPMessage(
            operation: .reply, transactionID: request.transactionID, clientMAC: mac, flags: request.flags,
            clientAddress: .any, yourAddress: .any, serverAddress: hub, relayAgentAddress: request.relayAgentAddress, options: options)
        if let bootFile {
            reply.bootFileName = Array(bootFile.utf8)
            reply.options.set(.bootFileName, text: bootFile)
        }
        return DHCPReply(
            message: reply,
            maximumMessageSize: min(request.options.maximumMessageSize ?? DHCPMessage.minimumMaximumMessageSize, Self.maximumReplySize),
            // The client has no address yet and this offer gives none: broadcast, as
            // dnsmasq's proxy does ("broadcast response"), or back through the relay.
            destination: request.relayAgentAddress != .any ? .relay(request.relayAgentAddress) : .broadcast)
    }

    /// Option 43 for a PXE client that is no Pi: PXE_DISCOVERY_CONTROL (sub-option 6) with
    /// bit 3 set, "download the boot file named in this offer without boot server
    /// discovery" (PXE 2.1, PXE_DISCOVERY_CONTROL), so the client boots the file of this proxy offer
    /// instead of asking boot servers on port 4011, which bramble does not serve.
    static let useBootFileDiscoveryControl: [UInt8] = [0x06, 0x01, 0x08, 0xff]
}

/// A node of the map seen using an address another DHCP server gave it (proxy mode).
///
/// What a node sends says which address it uses, and bramble sees it on its own segment:
/// - its broadcast REQUEST to the router names the address in option 50 (SELECTING,
///   INIT-REBOOT) or in ciaddr (REBINDING), RFC 2131 section 4.3.2. The Pi 4/5 bootloader
///   and the kernel's ip=dhcp send one; the router may still refuse it, so a later sighting
///   overrides it.
/// - its TFTP read requests come from the address it took, in frames that carry its MAC.
///   The Pi 3B ROM and bootcode.bin never send a REQUEST (they take the OFFER), so for them
///   this is the only sign; it is also the most reliable one, as the node uses the address.
/// The router's own OFFER and ACK are no source: they go to the client's MAC, which a
/// switch does not forward to the hub (docs/proxy-dhcp.md).
public struct NodeAddressSighting: Hashable, Sendable {
    public var nodeID: Int
    public var address: IPv4Address

    public init(nodeID: Int, address: IPv4Address) {
        self.nodeID = nodeID
        self.address = address
    }

    /// The address a REQUEST says its sender uses or is about to, or nil: not a REQUEST, a
    /// MAC outside the map, or no address of the cluster subnet a host can have.
    public static func fromRequest(_ request: DHCPMessage, nodeMap: NodeMap, hub: IPv4Interface) -> NodeAddressSighting? {
        guard request.options.messageType == .request, let mac = request.clientMAC, let node = nodeMap.node(mac: mac) else { return nil }
        let address = request.clientAddress != .any ? request.clientAddress : request.options.requestedIPAddress
        return address.flatMap { sighting(node: node, address: $0, hub: hub) }
    }

    /// The node whose MAC sent a frame from `address` (a TFTP request), or nil.
    public static func fromFrame(sourceMAC: MACAddress, sourceAddress: IPv4Address, nodeMap: NodeMap, hub: IPv4Interface) -> NodeAddressSighting? {
        guard let node = nodeMap.node(mac: sourceMAC) else { return nil }
        return sighting(node: node, address: sourceAddress, hub: hub)
    }

    private static func sighting(node: NodeEntry, address: IPv4Address, hub: IPv4Interface) -> NodeAddressSighting? {
        guard hub.subnet.contains(address), address != hub.address, DHCPResponder.isUnicast(address, in: hub.subnet),
              hub.subnet.hostNumber(of: address) != nil
        else { return nil }
        return NodeAddressSighting(nodeID: node.id, address: address)
    }
}
