import BrambleDHCP
import BrambleNodeMap
import BrambleWire

/// `dhcp`: a client's UDP payload decoded, answered by `DHCPResponder` (a small node map and
/// the dynamic pool on, as `bramble serve` runs by default), and the answer encoded as the
/// service sends it. When the answer is an OFFER, the REQUEST a client would send next is
/// made from it and answered too, so one input walks the whole exchange.
///
/// The same input also goes to the responder in proxy mode (`checkProxy`).
///
/// Invariants, for every reply: it encodes (or fails with a typed error, never a trap);
/// the IP datagram carrying it fits both the client's option 57 (at least 576, RFC 2131)
/// and the Ethernet MTU of 1500 bytes; it decodes again to the same header fields and the
/// same options, less the ones the encoder reports it left out; its frame decodes again.
private let hub = IPv4Interface("10.42.0.250/24")!

private let baseResponder: DHCPResponder = {
    let nodes = """
        # bay  MAC                name
        1      b8:27:eb:00:00:01  web01 root=/pxe/root/web01
        5      b8:27:eb:9d:c1:5a
        7      dc:a6:32:00:00:07  disabled
        12     e4:5f:01:00:00:0c  db12
        """ + "\n"
    let settings = DHCPResponderSettings(
        hub: hub, domain: "cluster", leaseSeconds: 43_200,
        bootFileByArchitecture: [0: "pxelinux.0", 7: "ipxe.efi", 9: "ipxe.efi", 11: "grubnetaa64.efi"],
        iPXEBootFile: "http://10.42.0.250/boot.ipxe")
    let map = try! NodeMap(parsing: nodes, fileName: "nodes", subnet: hub.subnet)
    let pool = LeasePool(first: IPv4Address(10, 42, 0, 100), last: IPv4Address(10, 42, 0, 199), reserved: [])
    return DHCPResponder(settings: settings, nodeMap: map, pool: pool)
}()

/// The same map and boot files in `dhcp-mode = proxy`, no pool (docs/proxy-dhcp.md).
private let proxyResponder: DHCPResponder = {
    var settings = baseResponder.settings
    settings.mode = .proxy
    return DHCPResponder(settings: settings, nodeMap: baseResponder.nodeMap)
}()

/// The clocks each input is answered at: a monotonic instant and the pool's wall-clock seconds.
private let start = MonotonicInstant(nanoseconds: 1_000_000_000)
private let wallClock: Int64 = 1_800_000_000

/// The largest IP datagram an Ethernet frame carries.
private let mtu = 1500

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDHCP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let request = try? DHCPMessage(decoding: bytes) else { return 0 }
    checkProxy(answering: request, input: bytes)
    var responder = baseResponder
    let response = responder.respond(to: request, now: start, wallClock: wallClock)
    guard let reply = response.reply else { return 0 }
    check(reply, answering: request, input: bytes)

    // The client's next step: a REQUEST for what it was offered, to the server that offered it.
    guard reply.message.options.messageType == .offer else { return 0 }
    var next = request
    next.options.messageType = .request
    next.options.requestedIPAddress = reply.message.yourAddress
    next.options.serverIdentifier = hub.address
    if let followUp = responder.respond(to: next, now: start + .seconds(1), wallClock: wallClock + 1).reply {
        check(followUp, answering: next, input: bytes)
    }
    return 0
}

private func check(_ reply: DHCPReply, answering request: DHCPMessage, input: [UInt8]) {
    let encoded: DHCPEncodedMessage
    do {
        encoded = try reply.encoded()
    } catch {
        // A typed error the service logs: acceptable, but only when nothing could fit.
        invariant(!error.description.isEmpty, "an encoding error without a message")
        return
    }
    let datagramLength = IPv4Packet.minimumHeaderLength + UDPDatagram.headerLength + encoded.bytes.count
    let clientLimit = max(request.options.maximumMessageSize ?? DHCPMessage.minimumMaximumMessageSize, DHCPMessage.minimumMaximumMessageSize)
    invariant(datagramLength <= clientLimit,
              "reply of \(datagramLength) bytes over the client's option 57 limit of \(clientLimit): input \(hexText(input))")
    invariant(datagramLength <= mtu, "reply of \(datagramLength) bytes over the Ethernet MTU: input \(hexText(input))")

    let decoded: DHCPMessage
    do {
        decoded = try DHCPMessage(decoding: encoded.bytes)
    } catch {
        invariant(false, "the encoded reply does not decode (\(error)): input \(hexText(input))")
        return
    }
    let message = reply.message
    invariant(decoded.operation == message.operation && decoded.transactionID == message.transactionID
                && decoded.flags == message.flags && decoded.clientAddress == message.clientAddress
                && decoded.yourAddress == message.yourAddress && decoded.serverAddress == message.serverAddress
                && decoded.relayAgentAddress == message.relayAgentAddress
                && decoded.clientHardwareAddress.prefix(Int(message.hardwareAddressLength))
                    == message.clientHardwareAddress.prefix(Int(message.hardwareAddressLength)),
              "the reply's header changed through encode/decode: input \(hexText(input))")
    let kept = message.options.filter { !encoded.droppedOptions.contains($0.code) }
    let keptCodes = kept.map(\.code)
    let decodedOptions = decoded.options.filter { $0.code != .optionOverload }
    invariant(decodedOptions.map(\.code) == keptCodes,
              "options \(keptCodes) came back as \(decodedOptions.map(\.code)): input \(hexText(input))")
    for option in kept {
        invariant(decoded.options[option.code] == message.options[option.code],
                  "option \(option.code) changed through encode/decode: input \(hexText(input))")
    }

    // Where the service sends it: never to 0.0.0.0; through the UDP socket only to a host
    // with an address the kernel can route to; as a raw frame to the broadcast MAC or the
    // client's own.
    let destination = reply.destination
    invariant(destination.address != .any, "a reply addressed to 0.0.0.0: input \(hexText(input))")
    if let mac = destination.frameMAC {
        invariant(mac == .broadcast || mac == message.clientMAC, "a reply framed to \(mac), not the client: input \(hexText(input))")
    } else {
        invariant(destination.address != .broadcast, "a broadcast reply left to the UDP socket: input \(hexText(input))")
    }
    let frame = EthernetUDPFrame(
        sourceMAC: MACAddress(0x02, 0, 0, 0, 0, 0xfa), destinationMAC: destination.frameMAC ?? MACAddress(0x02, 0, 0, 0, 0, 0x01),
        sourceAddress: hub.address, destinationAddress: destination.address, sourcePort: DHCPReplyDestination.serverPort,
        destinationPort: destination.port, payload: encoded.bytes[...])
    let wire = frame.encoded()
    invariant((try? EthernetUDPFrame(decoding: wire)) == frame, "the reply's frame does not decode again")
}

/// Proxy mode, on every input: an answer is only ever an OFFER with no address in it and no
/// address options, broadcast or sent to the relay; nothing is journaled; a sighting names a
/// node of the map and a host address of the subnet; and the REQUEST the client then sends
/// to its router is left unanswered.
private func checkProxy(answering request: DHCPMessage, input: [UInt8]) {
    var responder = proxyResponder
    let response = responder.respond(to: request, now: start, wallClock: wallClock)
    invariant(response.journal == nil && response.arpEntry == nil, "proxy mode journaled or seeded ARP: input \(hexText(input))")
    if let sighting = response.sighting {
        invariant(responder.nodeMap.node(id: sighting.nodeID) != nil && hub.subnet.hostNumber(of: sighting.address) != nil,
                  "sighting \(sighting) outside the map or the subnet: input \(hexText(input))")
    }
    guard let reply = response.reply else { return }
    let message = reply.message
    invariant(message.options.messageType == .offer && message.yourAddress == .any && message.clientAddress == .any,
              "a proxy answer that is not an address-free OFFER: input \(hexText(input))")
    for code: DHCPOptionCode in [.subnetMask, .router, .domainNameServer, .ipAddressLeaseTime, .hostName, .domainName] {
        invariant(message.options[code] == nil, "proxy offer with option \(code): input \(hexText(input))")
    }
    switch reply.destination {
    case .broadcast, .relay: break
    case .clientAddress, .clientHardware: invariant(false, "proxy offer sent to \(reply.destination): input \(hexText(input))")
    }
    check(reply, answering: request, input: input)
    var next = request
    next.options.messageType = .request
    next.options.requestedIPAddress = IPv4Address(10, 42, 0, 150)
    next.options.serverIdentifier = IPv4Address(10, 42, 0, 1)
    invariant(responder.respond(to: next, now: start + .seconds(1), wallClock: wallClock + 1).reply == nil, "proxy mode answered a REQUEST to the router: input \(hexText(input))")
}
