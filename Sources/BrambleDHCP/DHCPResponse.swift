import BrambleWire

/// Everything the server must do for one request, decided by the pure responder.
public struct DHCPResponse: Hashable, Sendable {
    public var reply: DHCPReply?
    public var event: DHCPEvent?
    /// A lease change to write (and fsync) before the reply is sent.
    public var journal: LeaseJournalEntry?
    /// An IP -> MAC entry for the kernel's ARP table: the Pi 3B ROM stops answering ARP
    /// once its transfer starts, so the hub must not need to ask (dnsmasq does the same).
    public var arpEntry: ARPEntry?
    /// Send the reply this much later (a timer, never a blocking sleep).
    public var delayMilliseconds: Int = 0
    /// Proxy mode: the address a node of the map says it uses (another server gave it),
    /// for TFTP, DNS and status to know the node by (docs/proxy-dhcp.md).
    public var sighting: NodeAddressSighting?

    public struct ARPEntry: Hashable, Sendable {
        public var address: IPv4Address
        public var mac: MACAddress

        public init(address: IPv4Address, mac: MACAddress) {
            self.address = address
            self.mac = mac
        }
    }
}

/// A reply and where it must go (RFC 2131 section 4.1).
public struct DHCPReply: Hashable, Sendable {
    public var message: DHCPMessage
    /// The client's option 57, or the 576 every client takes.
    public var maximumMessageSize: Int
    public var destination: DHCPReplyDestination

    /// The UDP payload, fitted to the client's size limit: what the daemon sends and what
    /// replay compares, encoded by this one call so both fit it alike.
    public func encoded() throws(DHCPEncodingError) -> DHCPEncodedMessage {
        try message.encoded(maximumMessageSize: maximumMessageSize)
    }
}

/// Where a reply goes, as RFC 2131 section 4.1 decides it, and the datagram that follows
/// from that: ``address``, ``port`` and, for a raw frame, ``frameMAC``. The daemon sends by
/// these three and replay records them, so both address a reply alike by construction.
public enum DHCPReplyDestination: Hashable, Sendable {
    /// To the relay agent's address, server port 67: the request came through a relay.
    case relay(IPv4Address)
    /// To the client's own address, port 68: it has one (renewing, INFORM).
    case clientAddress(IPv4Address)
    /// To 255.255.255.255 and ff:ff:ff:ff:ff:ff: the client asked for broadcast, or a NAK.
    case broadcast
    /// To the client's MAC with its new address, before it can answer ARP: needs the raw
    /// socket (or a seeded ARP entry).
    case clientHardware(MACAddress, IPv4Address)

    /// The UDP port a relay agent listens on (RFC 1542 section 5.4).
    public static let serverPort: UInt16 = 67
    /// The UDP port a client listens on.
    public static let clientPort: UInt16 = 68

    /// The datagram's destination address.
    public var address: IPv4Address {
        switch self {
        case .relay(let address), .clientAddress(let address), .clientHardware(_, let address): address
        case .broadcast: .broadcast
        }
    }

    /// The datagram's destination port: 67 for a relay agent, 68 for the client.
    public var port: UInt16 {
        switch self {
        case .relay: Self.serverPort
        case .clientAddress, .broadcast, .clientHardware: Self.clientPort
        }
    }

    /// The Ethernet destination when the reply leaves as a frame the server builds itself
    /// (the raw socket): a client without an address can neither answer ARP nor be routed
    /// to. Nil when the reply goes through the UDP socket, to a host that has an address
    /// (a relay, a renewing client), for the kernel to route.
    public var frameMAC: MACAddress? {
        switch self {
        case .broadcast: .broadcast
        case .clientHardware(let mac, _): mac
        case .relay, .clientAddress: nil
        }
    }
}

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
        case .unusableHardwareAddress(let mac): "client hardware address \(mac) is broadcast, multicast or zero"
        case .unusableAddressField(let field, let address): "\(field) \(address) is not a unicast address"
        case .addressingLeftToNetwork: "dhcp-mode = proxy: addresses come from the network's DHCP server"
        case .noBootFileForClient: "PXE client with no boot file for its architecture (pxe-boot-file)"
        case .malformedClientMachineIdentifier(let type, let length):
            "option 97 is \(length) bytes\(type.map { " of type \($0)" } ?? ""), not the 17 bytes of type 0 that RFC 4578 requires"
        }
    }
}

/// What kind of DHCP client a request came from, as the boot log and the options care.
public enum DHCPClientKind: Hashable, Sendable, CustomStringConvertible {
    case pi3BBootROM
    /// Pi 3B+ ROM or bootcode.bin (the serial, repeated, in option 97).
    case piSerialROM
    /// The Pi 4/5 EEPROM bootloader, with the character after `RPi` in its option 97 FourCC.
    case piBootloader(generation: Character)
    /// A PXE ROM that is not a Pi's, with its option 93 architecture.
    case pxe(architecture: UInt16?)
    /// iPXE, already loaded (option 175).
    case iPXE
    /// The kernel's ip=dhcp, dhclient, dhcpcd, udhcpc, NetworkManager ...
    case plain

    public var description: String {
        switch self {
        case .pi3BBootROM: "Pi 3B ROM"
        case .piSerialROM: "Pi ROM/bootcode"
        case .piBootloader(let generation): "Pi \(generation) bootloader"
        case .pxe(let architecture): architecture.map { "PXE arch \($0)" } ?? "PXE"
        case .iPXE: "iPXE"
        case .plain: "DHCP client"
        }
    }

    public var isRaspberryPiFirmware: Bool {
        switch self {
        case .pi3BBootROM, .piSerialROM, .piBootloader: true
        case .pxe, .iPXE, .plain: false
        }
    }

    public var isPXE: Bool {
        switch self {
        case .plain: false
        default: true
        }
    }
}

/// The model a DHCP client's firmware told about itself, in words for `bramble status`,
/// `nodes list` and the boot log: "Pi 5B 8GB rev 1.0", "CM4 4GB rev 1.1", "Pi 400 4GB rev 1.0".
///
/// Only the Pi 4/5 bootloader names its board (the revision code in its option 97 GUID);
/// the Pi 3B ROM is known by its constant GUID. The serial layout is sent by the 3B+ ROM and
/// by bootcode.bin on any Pi 2/3 (and a Pi 4 set to `DHCP_OPTION97=0`), so it names no model
/// for sure: it is `tentative`, and never replaces a model a node already reported.
/// What no Pi sends is shown as it is ("unknown board (option 97 GUID 58595a35...)").
public struct DHCPClientModel: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    /// False when the name is a best guess that a definite report overrides.
    public var isDefinite: Bool

    public init(name: String, isDefinite: Bool) {
        self.name = name
        self.isDefinite = isDefinite
    }

    public var description: String { name }
}

extension DHCPEvent {
    /// The model this request reports, or nil when it says nothing about one (the kernel's
    /// and the OS's DHCP clients, iPXE, a PXE client without option 97).
    public var model: DHCPClientModel? {
        switch client {
        case .piBootloader(let generation):
            guard let board = boardRevision else { return DHCPClientModel(name: "RPi\(generation) bootloader", isDefinite: true) }
            let name = board.model == nil ? "RPi\(generation) \(board)" : board.description
            return DHCPClientModel(name: name, isDefinite: true)
        case .pi3BBootROM:
            return DHCPClientModel(name: "Pi 3B", isDefinite: true)
        case .piSerialROM:
            return DHCPClientModel(name: "Pi 3B+ or bootcode.bin", isDefinite: false)
        case .pxe:
            guard let guid = clientMachineIdentifier, !guid.isRaspberryPi else { return nil }
            return DHCPClientModel(name: "unknown board (option 97 \(guid))", isDefinite: true)
        case .iPXE, .plain:
            return nil
        }
    }
}
