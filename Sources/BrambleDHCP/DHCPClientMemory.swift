import BrambleWire

/// What the responder remembers about clients between messages: their kind and serial
/// from option 97, and when an unknown MAC was last reported.
///
/// A Pi 4's REQUEST carries no vendor class, so its kind is taken from the DISCOVER of the
/// same transaction; the kernel's DHCP later (a new transaction) is a plain client again.
/// Bounded, because any machine on the switch can make up MACs.
struct DHCPClientMemory: Sendable {
    struct Client: Hashable, Sendable {
        var kind: DHCPClientKind
        var serial: RaspberryPiSerial?
        var transactionID: UInt32
    }

    static let capacity = 4096
    static let unknownReportInterval: Int64 = 60

    private var clients: [MACAddress: Client] = [:]
    private var unknownReported: [MACAddress: Int64] = [:]

    func client(_ mac: MACAddress) -> Client? { clients[mac] }

    mutating func observe(_ request: DHCPMessage, mac: MACAddress) -> Client {
        var kind = Self.kind(of: request)
        let previous = clients[mac]
        if kind == .plain, let previous, previous.transactionID == request.transactionID, previous.kind.isPXE {
            kind = previous.kind
        }
        let serial = RaspberryPiClientIdentity(options: request.options).serial ?? previous?.serial
        let client = Client(kind: kind, serial: serial, transactionID: request.transactionID)
        if clients.count >= Self.capacity && previous == nil { clients.removeAll(keepingCapacity: true) }
        clients[mac] = client
        return client
    }

    /// One report per unknown MAC per minute: a machine retrying every few seconds must not
    /// bury the log.
    mutating func shouldReportUnknown(_ mac: MACAddress, now: Int64) -> Bool {
        if let last = unknownReported[mac], now - last < Self.unknownReportInterval { return false }
        if unknownReported.count >= Self.capacity { unknownReported.removeAll(keepingCapacity: true) }
        unknownReported[mac] = now
        return true
    }

    static func kind(of request: DHCPMessage) -> DHCPClientKind {
        if request.options.isFromIPXE { return .iPXE }
        switch RaspberryPiClientIdentity(options: request.options) {
        case .pi3BBootROM: return .pi3BBootROM
        case .serialGUID: return .piSerialROM
        case .pi4Bootloader: return .pi4Bootloader
        case .pxeClient(let architectures): return .pxe(architecture: architectures.first)
        case .nonPXE: return .plain
        }
    }
}
