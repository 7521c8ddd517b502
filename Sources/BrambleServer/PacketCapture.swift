import BrambleCapture
import BrambleWire
import CNetShims
import Glibc
import Logging

/// `bramble serve --capture FILE`: every DHCP, TFTP and DNS datagram the sockets receive
/// and send, as Ethernet frames in a pcap file that tcpdump, Wireshark and `bramble replay`
/// read.
///
/// The sockets call it as they receive and send (see ``UDPSocket`` and ``PacketSocket``), on
/// the loop's thread. Records go to a memory buffer; the loop writes the buffer once a
/// second, when it passes ``flushThreshold``, and at exit, so capturing costs a copy and no
/// system call per packet.
///
/// DHCP's raw socket hands over whole frames. A UDP socket knows only addresses and ports,
/// so its datagrams are framed here: the hub side carries the interface's MAC, the peer
/// side a stand-in MAC made from its IPv4 address (``MACAddress/captureStandIn(for:)``),
/// and the UDP checksum is 0 ("not computed", RFC 768).
public final class PacketCapture {
    public struct Settings: Sendable {
        public var path: String
        /// The bound on one file; the previous file is kept as `path.1`.
        public var maximumBytes: Int

        public init(path: String, maximumBytes: Int) {
            self.path = path
            self.maximumBytes = maximumBytes
        }
    }

    static let flushIntervalMilliseconds = 1000

    /// Buffered bytes that trigger a write before the timer: 256 KiB, or a quarter of a
    /// small bound, so one write never carries a file far past `--capture-size`.
    let flushThreshold: Int

    private let file: CaptureFile
    private let hubMAC: MACAddress
    private let hubAddress: IPv4Address
    private let logger: Logger
    private var buffer: [UInt8] = []
    private var identification: UInt16 = 0
    private var failed = false
    private var warnedAboutRotation = false
    private var packetsRecorded = 0

    /// Opens (truncates) the file, handing it to `owner` (see ``CaptureFile``); reads the
    /// MAC of `interface` for the frames it builds.
    public init(settings: Settings, interface: String, hubAddress: IPv4Address, owner: PrivilegeDrop.Account? = nil, logger: Logger) throws(UnsafeFileError) {
        let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw .system(SystemCallError("socket(AF_INET, SOCK_DGRAM)")) }
        defer { close(probe) }
        var mac = [UInt8](repeating: 0, count: 6)
        guard cnet_interface_mac(probe, interface, &mac) == 0 else { throw .system(SystemCallError("SIOCGIFHWADDR(\(interface))")) }
        hubMAC = MACAddress(bytes: mac)!
        self.hubAddress = hubAddress
        self.logger = logger
        file = try CaptureFile(path: settings.path, maximumBytes: settings.maximumBytes, owner: owner)
        flushThreshold = min(256 * 1024, max(4096, settings.maximumBytes / 4))
        buffer.reserveCapacity(flushThreshold + 2048)
    }

    /// Writes what is buffered every second from now on.
    func startFlushing(on loop: EventLoop) {
        loop.schedule(afterMilliseconds: Self.flushIntervalMilliseconds) { [weak self, unowned loop] in
            self?.flush()
            self?.startFlushing(on: loop)
        }
    }

    /// A frame from or for the raw socket. A received frame whose UDP checksum the kernel
    /// left for offload (a sender on this host) is recorded with checksum 0, which readers
    /// take as "not computed" rather than as a corrupt packet.
    public func record(frame: ArraySlice<UInt8>, checksumNotReady: Bool = false) {
        guard !failed else { return }
        let start = buffer.count
        PcapEncoder.appendRecord(frame, at: Self.now(), to: &buffer)
        if checksumNotReady { Self.clearUDPChecksum(in: &buffer, frameStart: start + PcapEncoder.recordHeaderLength) }
        recorded()
    }

    /// A datagram from or for a UDP socket, framed with the hub's and the peer's addresses.
    /// `local` of 0.0.0.0 (a socket bound to any address) is recorded as the hub's address.
    public func record(
        _ payload: UnsafeRawBufferPointer, _ more: UnsafeRawBufferPointer? = nil,
        from source: IPv4Address, port sourcePort: UInt16, to destination: IPv4Address, port destinationPort: UInt16, sent: Bool
    ) {
        guard !failed else { return }
        let payloadLength = payload.count + (more?.count ?? 0)
        guard payloadLength <= EthernetUDPFrame.maximumPayloadLength else { return }
        let frameLength = EthernetUDPFrame.headersLength + payloadLength
        let source = source == .any ? hubAddress : source
        let destination = destination == .any ? hubAddress : destination
        let peer = sent ? destination : source
        let peerMAC = peer == .broadcast ? MACAddress.broadcast : .captureStandIn(for: peer)
        let (sourceMAC, destinationMAC) = sent ? (hubMAC, peerMAC) : (peerMAC, hubMAC)
        identification &+= 1
        PcapEncoder.appendRecordHeader(length: frameLength, at: Self.now(), to: &buffer)
        EthernetFrame.appendHeader(destination: destinationMAC, source: sourceMAC, etherType: EthernetFrame.etherTypeIPv4, to: &buffer)
        IPv4Packet(
            source: source, destination: destination, protocolNumber: IPv4Packet.protocolUDP,
            identification: identification, payload: []
        ).appendHeader(payloadLength: UDPDatagram.headerLength + payloadLength, to: &buffer)
        NetworkByteOrder.append(sourcePort, to: &buffer)
        NetworkByteOrder.append(destinationPort, to: &buffer)
        NetworkByteOrder.append(UInt16(UDPDatagram.headerLength + payloadLength), to: &buffer)
        NetworkByteOrder.append(UInt16(0), to: &buffer)
        buffer.append(contentsOf: payload)
        if let more { buffer.append(contentsOf: more) }
        recorded()
    }

    /// Writes the buffer out. A failing disk stops the capture (logged once), never the server.
    public func flush() {
        guard !buffer.isEmpty, !failed else { return }
        do {
            try file.append(buffer)
            if let refusal = file.cannotKeepPrevious, !warnedAboutRotation {
                warnedAboutRotation = true
                logger.warning("capture \(file.path): cannot keep the full file as \(file.path).1 (\(refusal)); starting it over in place instead. Make the directory writable by the user bramble runs as to keep the previous file.")
            }
        } catch {
            failed = true
            logger.error("capture \(file.path) stopped after \(packetsRecorded) packets: \(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func recorded() {
        packetsRecorded += 1
        if buffer.count >= flushThreshold { flush() }
    }

    private static func now() -> CaptureTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return CaptureTimestamp(seconds: Int64(time.tv_sec), nanoseconds: Int64(time.tv_nsec))
    }

    /// Zeroes the UDP checksum of the IPv4 frame starting at `frameStart`, if it is one.
    private static func clearUDPChecksum(in bytes: inout [UInt8], frameStart: Int) {
        let ip = frameStart + EthernetFrame.headerLength
        guard bytes.count > ip + IPv4Packet.minimumHeaderLength,
              bytes[frameStart + 12] == 0x08, bytes[frameStart + 13] == 0x00,
              bytes[ip + 9] == IPv4Packet.protocolUDP else { return }
        let checksum = ip + Int(bytes[ip] & 0x0f) * 4 + 6
        guard checksum + 1 < bytes.count else { return }
        bytes[checksum] = 0
        bytes[checksum + 1] = 0
    }
}
