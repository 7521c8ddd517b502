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
    private let clock: () -> MonotonicInstant
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
        interface: String, port: UInt16, enabling: String? = nil, loop: EventLoop, capture: PacketCapture?, logger: Logger,
        clock: @escaping () -> MonotonicInstant = MonotonicInstant.now, nodeAt: @escaping (IPv4Address) -> Int?
    ) throws(SystemCallError) {
        socket = try UDPSocket(port: port, device: interface, capture: capture)
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

/// How many netconsole lines one node may add to its boot log: a token bucket per source
/// address, ``burst`` lines at once, then ``linesPerSecond``.
///
/// A bootloader with its debug log on sends a few hundred lines in a boot, most of them in
/// the first seconds; a source that keeps sending faster is a flood (or a spoofer using a
/// node's address), and its excess is dropped and counted, not stored. The count is handed
/// back with the next lines that get through, so the log says how many are missing. At most
/// ``maximumSources`` buckets are kept; idle, full ones are forgotten first, and past that
/// the new sources share one bucket, so forged addresses cannot grow the table.
struct NetconsoleAdmission {
    static let burst = 400
    static let linesPerSecond = 100.0
    static let maximumSources = 1024

    private struct Source {
        var bucket: TokenBucket
        var dropped = 0
    }

    /// What of a datagram's lines may be recorded.
    struct Verdict: Equatable {
        /// The first `admitted` lines go into the log; the rest are dropped.
        var admitted: Int
        /// Lines dropped from this source since its last admitted ones, to report before them.
        var droppedBefore: Int
    }

    private var sources: [IPv4Address: Source] = [:]
    /// The bucket sources share once the table is full.
    private var overflow: Source?

    mutating func admit(lines: Int, from source: IPv4Address, now: MonotonicInstant) -> Verdict {
        if sources[source] == nil && sources.count >= Self.maximumSources {
            sources = sources.filter { !$0.value.bucket.isFull(now: now) || $0.value.dropped > 0 }
        }
        guard sources[source] != nil || sources.count < Self.maximumSources else {
            var shared = overflow ?? Self.newSource(now: now)
            let verdict = Self.admit(lines: lines, into: &shared, now: now)
            overflow = shared
            return verdict
        }
        return Self.admit(lines: lines, into: &sources[source, default: Self.newSource(now: now)], now: now)
    }

    private static func newSource(now: MonotonicInstant) -> Source {
        Source(bucket: TokenBucket(capacity: burst, perSecond: linesPerSecond, now: now))
    }

    private static func admit(lines: Int, into source: inout Source, now: MonotonicInstant) -> Verdict {
        var admitted = 0
        while admitted < lines && source.bucket.take(now: now) { admitted += 1 }
        let droppedBefore = admitted > 0 ? source.dropped : 0
        if admitted > 0 { source.dropped = 0 }
        source.dropped += lines - admitted
        return Verdict(admitted: admitted, droppedBefore: droppedBefore)
    }
}
