import BrambleDHCP
import BrambleDNS
import BrambleNodeMap
import BrambleWire

/// `config`: the config file parser and validator, and what `bramble serve` builds from a
/// config it accepts: the DHCP responder's settings, the dynamic pool, the DNS zone.
///
/// Invariants: parsing is total and every diagnostic names a line of the file; a config
/// the validator accepts never traps the components built from it (the DNS zone relies on
/// the domain being valid), its pool lies in the subnet without the hub, and the replies
/// its responder gives a Raspberry Pi, a PXE client and iPXE all encode within 576 bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let draft = ConfigParser.parse(text, file: "/etc/bramble/bramble.conf")
    let lineCount = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.count
    for diagnostic in draft.diagnostics {
        invariant(!diagnostic.reason.isEmpty, "a diagnostic without a reason")
        if case .line(_, let number) = diagnostic.location {
            invariant(number >= 1 && number <= lineCount, "a diagnostic on line \(number) of \(lineCount)")
        }
    }
    guard let config = try? draft.validated() else { return 0 }

    let settings = DHCPResponderSettings(config)
    let pool = LeasePool(config)
    if let pool {
        invariant(config.subnet.contains(pool.first) && config.subnet.contains(pool.last), "pool \(pool.first)-\(pool.last) outside \(config.subnet)")
        invariant(!pool.contains(config.address.address), "the pool holds the hub's address")
    }
    let map = try! NodeMap(parsing: "", fileName: "nodes", subnet: config.subnet)
    _ = ClusterZone(nodeMap: map, hub: config.address, domain: config.domain)

    var responder = DHCPResponder(settings: settings, nodeMap: map, pool: pool)
    for (index, client) in clients.enumerated() {
        let now = MonotonicInstant(nanoseconds: UInt64(index) * 1_000_000_000)
        guard let reply = responder.respond(to: client, now: now, wallClock: 1_800_000_000 + Int64(index)).reply else { continue }
        do {
            let encoded = try reply.encoded()
            invariant(encoded.bytes.count + 28 <= DHCPMessage.minimumMaximumMessageSize, "a reply of \(encoded.bytes.count) bytes")
        } catch {
            invariant(false, "an accepted config gives a reply that does not encode: \(error)")
        }
    }
    return 0
}

/// DISCOVERs from a Raspberry Pi 3B's ROM, a BIOS PXE client and iPXE.
private let clients: [DHCPMessage] = {
    func discover(_ mac: MACAddress, _ options: [(DHCPOptionCode, [UInt8])]) -> DHCPMessage {
        var values = DHCPOptions()
        values.messageType = .discover
        for (code, value) in options { values[code] = value }
        return DHCPMessage(operation: .request, transactionID: 0x2a, clientMAC: mac, options: values)
    }
    return [
        discover(MACAddress(0xb8, 0x27, 0xeb, 0x9d, 0xc1, 0x5a), [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.clientSystemArchitecture, [0, 0]),
            (.clientMachineIdentifier, [0] + Array(repeating: 0x11, count: 16)),
        ]),
        discover(MACAddress(0x02, 0, 0, 0, 0, 0x42), [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00007:UNDI:003016".utf8)), (.clientSystemArchitecture, [0, 7]),
        ]),
        discover(MACAddress(0x02, 0, 0, 0, 0, 0x43), [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.userClass, Array("iPXE".utf8)),
            (.clientSystemArchitecture, [0, 0]),
        ]),
    ]
}()
