import BrambleTFTP
import BrambleWire
import Glibc

/// The one UDP socket every read transfer runs on, demultiplexed by the client's address
/// and port: the key of the server's table of transfers (``TFTPTransferID``).
///
/// Why one socket instead of one per transfer (docs/serving.md, "One transfer port, shared"): a wake-up of
/// the loop reads every queued ACK of every transfer with one `recvmmsg`, and the DATA that
/// answers them leaves with one `sendmmsg`, where a socket per transfer costs a `recvfrom`
/// and a `sendmsg` per block. RFC 1350 lets the server pick its transfer ID; what tells
/// transfers apart is the pair of IDs, and no two transfers share the client's half.
///
/// DATA queued with ``queue(header:body:to:)`` points into its session's send buffer, which
/// must not change until the batch leaves: ``flushes`` counts the batches sent, so a session
/// knows whether a block it queued is still waiting (``isWaiting(since:)``) before it reads
/// over its buffer or frees it.
final class TFTPTransferPort {
    let socket: UDPSocket
    private let receiveBatch: UDPSocket.ReceiveBatch
    private let sendBatch: UDPSocket.SendBatch
    /// Batches sent so far. Checked at every block, and only ever touched from the loop's
    /// thread, so it needs no dynamic exclusivity check.
    @exclusivity(unchecked) private(set) var flushes = 0
    /// The clients of the last transfers that ended. A late ACK from one of them (a
    /// duplicate of its final ACK, after a resent last block) is dropped without an
    /// answer: the client may already run its next transfer from the same port, and an
    /// ERROR 5 from this port would end that one. With a socket per transfer the late
    /// ACK met a closed port instead.
    @exclusivity(unchecked) private var recentlyEnded: [TFTPTransferID?]
    @exclusivity(unchecked) private var nextEnded = 0

    /// Datagrams one `recvmmsg` reads.
    static let receiveBatchSize = 16
    /// How many ended transfers ``recentlyEnded`` remembers.
    static let endedMemory = 64
    /// Send and receive buffers of the shared socket. The kernel charges every queued
    /// datagram of every transfer to this one socket; a transfer with its own socket had
    /// the default (about 208 KiB) to itself. 48 clients with windows of 16 blocks of 1468
    /// bytes keep about 1.8 MB in flight on a NIC that frees a datagram only once sent.
    static let bufferBytes: Int32 = 4 << 20

    /// Binds the hub's address on an ephemeral port, pinned to `device` like port 69.
    init(hub: IPv4Address, device: String, capture: PacketCapture?) throws(SystemCallError) {
        socket = try UDPSocket(address: hub, port: 0, device: device, capture: capture)
        Self.enlargeBuffers(socket.fd)
        // ACKs and ERRORs are short; a longer datagram spills into the batch's spare buffer.
        // Every recvmmsg re-arms all the batch's slots, so a small batch keeps a quiet
        // wake-up (a few ACKs) cheap; a busy turn reads several batches up to its share.
        receiveBatch = UDPSocket.ReceiveBatch(capacity: Self.receiveBatchSize, slotSize: 516)
        // Copied bytes are DATA headers (4 bytes) and the odd OACK or ERROR: the batch grows
        // when those need more.
        sendBatch = UDPSocket.SendBatch(capacity: EventLoop.readBatch, bytesPerDatagram: 8)
        recentlyEnded = [TFTPTransferID?](repeating: nil, count: Self.endedMemory)
    }

    /// SO_SNDBUFFORCE and SO_RCVBUFFORCE need CAP_NET_ADMIN, which the daemon keeps after
    /// dropping the rest (``PrivilegeDrop``); without it, the plain options, which the
    /// kernel caps at net.core.wmem_max and rmem_max (socket(7)).
    private static func enlargeBuffers(_ fd: Int32) {
        var bytes = bufferBytes
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, size) != 0 { setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, size) }
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, size) != 0 { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, size) }
    }

    /// Calls `handle` with each datagram of each batch `recvmmsg` reads, within the turn's
    /// share (``EventLoop/readBatch``), and the time the batch was read (one clock read per
    /// batch, not one per block); sends what the handlers queued once per batch.
    func watch(in loop: EventLoop, _ handle: @escaping (UDPSocket.Datagram, MonotonicInstant) -> Void) throws(SystemCallError) {
        try socket.watch(in: loop) { [unowned self] in
            while socket.receive(into: receiveBatch) > 0 {
                let now = loop.now
                for datagram in receiveBatch.datagrams { handle(datagram, now) }
                flush()
                // A short batch emptied the socket; another recvmmsg would only say so.
                if receiveBatch.drained { return }
            }
        }
    }

    /// Queues an OACK or ERROR (copied) for `id`.
    func queue(_ payload: [UInt8], to id: TFTPTransferID) {
        if sendBatch.isFull { flush() }
        sendBatch.append(payload, to: id.address, port: id.port)
    }

    /// Queues a DATA block: the 4-byte header (copied) and `body`, which is sent from where
    /// it lies and must stay unchanged until the batch leaves.
    func queue(header: UInt32, body: UnsafeRawBufferPointer, to id: TFTPTransferID) {
        if sendBatch.isFull { flush() }
        var bigEndian = header.bigEndian
        _ = withUnsafeBytes(of: &bigEndian) { sendBatch.append(header: $0, body: body, to: id.address, port: id.port) }
    }

    /// True while a block queued when ``flushes`` was `mark` has not left yet.
    func isWaiting(since mark: Int) -> Bool { mark == flushes && !sendBatch.isEmpty }

    /// Sends what is queued, with as few `sendmmsg` calls as the kernel takes.
    func flush() {
        guard !sendBatch.isEmpty else { return }
        socket.send(sendBatch)
        flushes &+= 1
    }

    /// A transfer ended: its client's late ACKs are dropped from now on (see ``recentlyEnded``).
    func ended(_ id: TFTPTransferID) {
        recentlyEnded[nextEnded] = id
        nextEnded = (nextEnded + 1) % Self.endedMemory
    }

    /// What a datagram from an address and port with no transfer gets: ERROR 5 (unknown
    /// transfer ID, RFC 1350 section 4), except an ERROR (two confused peers must not
    /// bounce errors forever) and an ACK from a transfer that just ended. True when it
    /// was answered.
    @discardableResult
    func answerStray(_ datagram: UDPSocket.Datagram) -> Bool {
        let payload = datagram.payload
        guard payload.count >= 2, payload[payload.startIndex] == 0 else { return reply(to: datagram) }
        let opcode = payload[payload.startIndex + 1]
        if opcode == UInt8(TFTPOpcode.error.rawValue) { return false }
        if opcode == UInt8(TFTPOpcode.acknowledgement.rawValue),
           recentlyEnded.contains(TFTPTransferID(address: datagram.source, port: datagram.sourcePort)) {
            return false
        }
        return reply(to: datagram)
    }

    private func reply(to datagram: UDPSocket.Datagram) -> Bool {
        queue(TFTPRefusal.unknownTransferIDPayload, to: TFTPTransferID(address: datagram.source, port: datagram.sourcePort))
        return true
    }
}
