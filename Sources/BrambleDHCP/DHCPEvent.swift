import BrambleWire

/// One DHCP exchange, for the boot-event stream: who asked, what, and what came of it.
public struct DHCPEvent: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        case replied(DHCPMessageType, address: IPv4Address?)
        case ignored(DHCPIgnoreReason)
    }

    public var mac: MACAddress
    public var nodeID: Int?
    public var nodeName: String?
    public var received: DHCPMessageType
    public var client: DHCPClientKind
    public var vendorClass: String?
    public var serial: RaspberryPiSerial?
    public var relay: IPv4Address?
    public var outcome: Outcome
    /// The client's xid: the boot log tells the kernel's DHCP from the OS's by it.
    public var transactionID: UInt32 = 0
    /// False for repeats the log should not print again (an unknown MAC asking every few
    /// seconds is logged once a minute).
    public var worthLogging: Bool = true
    /// The board a Pi 4/5 bootloader named in option 97 ("Pi 5B 8GB rev 1.0"), for the
    /// boot log and status; nil for the ROMs and other clients.
    public var boardRevision: RaspberryPiBoardRevision?
    /// Option 97 as decoded, also when it is in no Pi layout: a PXE client's unknown FourCC
    /// or odd length is shown as it is (a Pi 4 with a custom `DHCP_OPTION97` looks so).
    public var clientMachineIdentifier: RaspberryPiOption97?
}

/// Why a request got no answer.
public enum DHCPIgnoreReason: Hashable, Sendable, CustomStringConvertible {
    case unknownMAC
    case disabledNode
    case poolExhausted
    /// The client's REQUEST names another server (it took another server's offer).
    case otherServerChosen(IPv4Address)
    /// RFC 2131 4.3.2: an INIT-REBOOT for an address we know nothing about: stay silent.
    case noRecordOfClient
    /// A relay from a network this server does not serve.
    case foreignRelay(IPv4Address)
    /// DECLINE, RELEASE: nothing to answer; the state change is in the journal.
    case noReplyExpected
    case notEthernet
    /// chaddr is broadcast, multicast or all zero: no network card has it, so a reply
    /// would go to every host (or none) and a lease for it is a lease for nobody. Forged.
    case unusableHardwareAddress(MACAddress)
    /// ciaddr or giaddr (`field`) holds an address no host can have: broadcast, multicast,
    /// loopback, 0/8 other than 0.0.0.0, class E, or the cluster subnet's broadcast. A
    /// reply sent there would be a broadcast, or go nowhere. Forged.
    case unusableAddressField(field: String, IPv4Address)
    /// Proxy mode: addresses are the network's own DHCP server's business, so a client that
    /// is no boot client (the kernel's ip=dhcp, udhcpc, a phone), and every message but a
    /// boot client's DISCOVER, gets nothing (docs/proxy-dhcp.md).
    case addressingLeftToNetwork
    /// Proxy mode: a PXE client that is no Raspberry Pi, with no boot file configured for
    /// its architecture: a proxy offer without a file would leave it nothing to boot.
    case noBootFileForClient
    /// Option 97 of a length or type RFC 4578 section 2.3 does not allow (17 bytes, type 0):
    /// no Pi firmware sends it, so in proxy mode, where bramble answers only boot clients it
    /// recognises, the request is not taken for one.
    case malformedClientMachineIdentifier(type: UInt8?, length: Int)

    public var description: String {
        switch self {
        case .unknownMAC: "unknown MAC"
        case .disabledNode: "node is disabled"
        case .poolExhausted: "no free address in the pool"
        case .otherServerChosen(let server): "client chose server \(server)"
        case .noRecordOfClient: "no record of this client"
        case .foreignRelay(let relay): "relay \(relay) is outside the cluster subnet"
        case .noReplyExpected: "no reply expected"
        case .notEthernet: "not an Ethernet client"
        case .unusableHardwareAddress(let mac): "client hardware address \(mac) is broadcast, multicast or zero"
        case .unusableAddressField(let field, let address): "\(field) \(address) is not a unicast address"
        case .addressingLeftToNetwork: "dhcp-mode = proxy: addresses come from the network's DHCP server"
        case .noBootFileForClient: "PXE client with no boot file for its architecture (pxe-boot-file)"
        case .malformedClientMachineIdentifier(let type, let length):
            "option 97 is \(length) bytes\(type.map { " of type \($0)" } ?? ""), not the 17 bytes of type 0 that RFC 4578 requires"
        }
    }
}
