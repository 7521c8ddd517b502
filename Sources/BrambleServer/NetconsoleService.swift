import BrambleBoot
import BrambleWire
import Logging

/// The Pi 4/5 bootloader's netconsole (docs/netconsole.md): its debug log, received over UDP
/// and handed on line by line to the boot log of the node that sent it.
///
/// The socket binds every address on the cluster interface (pinned to it with
/// SO_BINDTODEVICE), not only the hub's: the bootloader's `NETCONSOLE=` sends to the
/// broadcast address unless the line names the hub, and a socket bound to one unicast
/// address never sees broadcasts. A datagram counts as a node's when its source address is
/// that node's address in the node map, the address the bootloader's `NETCONSOLE=` line must
/// give as its own. Everything else is counted and logged (rate-limited per sender), never
/// stored: unknown senders, datagrams that are no log text (``NetconsoleDatagram``), and a
/// node's lines beyond its ``NetconsoleAdmission`` rate.
final class NetconsoleService {
    private let socket: UDPSocket
    private let loop: EventLoop
    private let logger: Logger
    private let clock: () -> UInt64
    private var admission = NetconsoleAdmission()
    private var buffer = [UInt8](repeating: 0, count: NetconsoleDatagram.maximumLength + 1)
    /// The node with this address, if any: its ID.
    let nodeAt: (IPv4Address) -> Int?
    /// One node's bootloader lines (and the count dropped before them), in order, to record.
    var onLines: ((_ nodeID: Int, _ events: [BootEvent.Kind]) -> Void)?

    private(set) var datagramsReceived = 0
    private(set) var linesRecorded = 0
    private(set) var linesDropped = 0
    private(set) var unknownSourceDatagrams = 0
    private(set) var undecodableDatagrams = 0

    init(
        interface: String, port: UInt16, enabling: String? = nil, loop: EventLoop, logger: Logger,
        clock: @escaping () -> UInt64 = { MonotonicInstant.now().nanoseconds }, nodeAt: @escaping (IPv4Address) -> Int?
    ) throws(SystemCallError) {
        socket = try UDPSocket(port: port, device: interface, capture: loop.capture)
        self.loop = loop
        self.logger = logger
        self.clock = clock
        self.nodeAt = nodeAt
        try socket.watch(in: loop) { [unowned self] in self.readDatagrams() }
        logger.info("netconsole: the Pi bootloader's log on UDP port \(socket.localPort) of \(interface), each line into its node's boot log\(enabling.map { "; enable it in a Pi's EEPROM config (rpi-eeprom-config --edit) with a line like \($0)" } ?? "")")
    }

    deinit { loop.deregister(socket.fd) }

    /// What the sink did, for the daemon's last log line.
    var summary: String {
        "netconsole: \(linesRecorded) lines recorded from \(datagramsReceived) datagrams, \(linesDropped) dropped over the rate, "
            + "\(unknownSourceDatagrams) datagrams from senders that are no node, \(undecodableDatagrams) refused (too long, empty or not log text)"
    }

    private func readDatagrams() {
        while let datagram = socket.receive(into: &buffer) {
            datagramsReceived += 1
            handle(datagram.payload, from: datagram.source, port: datagram.sourcePort)
        }
    }

    private func handle(_ payload: ArraySlice<UInt8>, from source: IPv4Address, port: UInt16) {
        guard let nodeID = nodeAt(source) else {
            unknownSourceDatagrams += 1
            logger.notice(
                "netconsole: ignored \(payload.count) bytes from \(source):\(port), which is no node's address (a Pi's NETCONSOLE= line must give its node-map address as the source)",
                metadata: Self.peer(source))
            return
        }
        let datagram: NetconsoleDatagram
        do {
            datagram = try NetconsoleDatagram(decoding: payload)
        } catch {
            undecodableDatagrams += 1
            logger.notice("netconsole: ignored a datagram from \(source):\(port): \(error)", metadata: Self.peer(source))
            return
        }
        let verdict = admission.admit(lines: datagram.lines.count, from: source, now: clock())
        let dropped = datagram.lines.count - verdict.admitted
        if dropped > 0 {
            linesDropped += dropped
            logger.notice("netconsole: dropped \(dropped) lines from \(source): more than \(NetconsoleAdmission.burst) at once, \(Int(NetconsoleAdmission.linesPerSecond)) a second after that", metadata: Self.peer(source))
        }
        guard verdict.admitted > 0 else { return }
        var events = datagram.lines.prefix(verdict.admitted).map { BootEvent.Kind.bootloaderLog(line: $0) }
        if verdict.droppedBefore > 0 { events.insert(.bootloaderLogDropped(lines: verdict.droppedBefore), at: 0) }
        linesRecorded += verdict.admitted
        onLines?(nodeID, events)
    }

    /// The metadata that keys rate limiting by sender (``LogRateLimiter``), built only for a
    /// line that is logged: a node's accepted lines log nothing.
    private static func peer(_ source: IPv4Address) -> Logger.Metadata { ["peer": "\(source)"] }
}
