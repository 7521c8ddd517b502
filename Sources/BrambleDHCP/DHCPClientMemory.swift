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
        /// From a bootloader GUID: the model, for the boot log and status.
        var boardRevision: RaspberryPiBoardRevision?
        /// From a bootloader GUID (`4`, `5`): kept past the kernel's DHCP like the serial,
        /// for TFTP's per-model prefix rule.
        var bootloaderGeneration: Character?
        var transactionID: UInt32
    }

    static let capacity = 4096
    static let unknownReportInterval: Int64 = 60

    private var clients: [MACAddress: Client] = [:]
    private var unknownReported: [MACAddress: Int64] = [:]

    func client(_ mac: MACAddress) -> Client? { clients[mac] }
    /// Clients and unknown MACs held: what a flood of made-up MACs could grow.
    var heldEntries: Int { clients.count + unknownReported.count }

    mutating func observe(_ request: DHCPMessage, mac: MACAddress) -> Client {
        var kind = Self.kind(of: request)
        let previous = clients[mac]
        if kind == .plain, let previous, previous.transactionID == request.transactionID, previous.kind.isPXE {
            kind = previous.kind
        }
        let identity = RaspberryPiClientIdentity(options: request.options)
        let serial = identity.serial ?? previous?.serial
        let boardRevision = identity.boardRevision ?? previous?.boardRevision
        var generation = previous?.bootloaderGeneration
        if case .bootloader(let guid) = identity { generation = guid.generation }
        let client = Client(
            kind: kind, serial: serial, boardRevision: boardRevision, bootloaderGeneration: generation, transactionID: request.transactionID)
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
        case .bootloader(let guid): return .piBootloader(generation: guid.generation)
        case .pxeClient(let architectures): return .pxe(architecture: architectures.first)
        case .nonPXE: return .plain
        }
    }
}
