import BrambleTFTP
import BrambleWire
import Logging

/// One read transfer on the wire: its own UDP socket (a new transfer ID, RFC 1350 section 4)
/// registered in the event loop, the pure ``TFTPTransfer`` driving it, and its one timer.
///
/// Only the client's address and port reach the state machine; anything else arriving on
/// the socket gets ERROR 5 (unknown transfer ID) and changes nothing, so a stray or spoofed
/// packet cannot end or steer a transfer.
final class TFTPSession {
    let client: IPv4Address
    let clientPort: UInt16
    let fileName: String
    private let socket: UDPSocket
    private var transfer: TFTPTransfer
    private let loop: EventLoop
    private let logger: Logger
    private let onEnd: (TFTPSession, TFTPEvent) -> Void
    /// The loop timer, and when it fires. Deadlines only move later (each ACK pushes the
    /// retransmission deadline to now + timeout), so a pending timer that fires before the
    /// transfer's current deadline is left alone: the transfer answers an early wake with
    /// the real deadline. That is one timer per timeout period instead of one per ACK.
    private var timer: EventLoop.TimerID?
    private var timerDeadline: MonotonicInstant?
    /// Sized for any ACK or ERROR a client sends; longer datagrams are cut, which is fine
    /// for the fields read here.
    private var receiveBuffer = [UInt8](repeating: 0, count: 1024)
    private var ended = false

    private static let unknownTransferID = TFTPPacket.error(.unknownTransferID, message: "unknown transfer ID").encoded()

    init(
        socket: UDPSocket, client: IPv4Address, clientPort: UInt16, fileName: String, transfer: TFTPTransfer,
        loop: EventLoop, logger: Logger, onEnd: @escaping (TFTPSession, TFTPEvent) -> Void
    ) throws(SystemCallError) {
        self.socket = socket
        self.client = client
        self.clientPort = clientPort
        self.fileName = fileName
        self.transfer = transfer
        self.loop = loop
        self.logger = logger
        self.onEnd = onEnd
        try loop.register(socket.fd) { [unowned self] _ in self.readable() }
    }

    deinit {
        if let timer { loop.cancel(timer) }
        loop.deregister(socket.fd)
    }

    /// The transfer's parameters, for the start event.
    var parameters: TFTPTransferParameters { transfer.parameters }

    func start() {
        perform(transfer.start(now: now))
    }

    private var now: TFTPInstant { TFTPInstant(nanoseconds: loop.now.nanoseconds) }

    /// One datagram per readiness: the loop's epoll is level-triggered, so another queued
    /// datagram wakes this again at once. Reading until EAGAIN would cost a second, empty
    /// `recvfrom` per block, since a lockstep client has only one ACK in flight.
    private func readable() {
        guard !ended, let datagram = socket.receive(into: &receiveBuffer) else { return }
        guard datagram.source == client, datagram.sourcePort == clientPort else {
            answerUnknownTransferID(datagram)
            return
        }
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(decoding: datagram.payload)
        } catch {
            logger.debug("TFTP \(client):\(clientPort) \(fileName): ignored a malformed packet: \(error)")
            return
        }
        perform(transfer.received(packet, now: now))
    }

    /// ERROR 5 to a sender that is not this transfer's client; never in answer to an ERROR,
    /// so two confused peers cannot bounce errors forever.
    private func answerUnknownTransferID(_ datagram: UDPSocket.Datagram) {
        let payload = datagram.payload
        if payload.count >= 2, payload[payload.startIndex] == 0, payload[payload.startIndex + 1] == UInt8(TFTPOpcode.error.rawValue) { return }
        logger.debug("TFTP \(fileName) to \(client):\(clientPort): packet from \(datagram.source):\(datagram.sourcePort) answered with error 5 (unknown transfer ID)")
        Self.unknownTransferID.withUnsafeBytes { _ = socket.send($0, to: datagram.source, port: datagram.sourcePort) }
    }

    private func perform(_ actions: TFTPTransfer.Actions) {
        if let packet = actions.packet { socket.send(packet.encoded(), to: client, port: clientPort) }
        for index in actions.blocks { sendData(actions.block(index)) }
        if let deadline = actions.deadline { arm(MonotonicInstant(nanoseconds: deadline.nanoseconds)) }
        if let ending = actions.ending { end(TFTPEvent(ending: ending)) }
    }

    /// Header from the stack, payload straight from the file's bytes: one `sendmsg`, no copy.
    private func sendData(_ block: TFTPDataBlock) {
        var header = (UInt32(TFTPOpcode.data.rawValue) << 16 | UInt32(block.number)).bigEndian
        withUnsafeBytes(of: &header) { headerBytes in
            transfer.contents.withBytes(in: block.range) { body in
                _ = socket.send(header: headerBytes, body: body, to: client, port: clientPort)
            }
        }
    }

    private func arm(_ deadline: MonotonicInstant) {
        if let timerDeadline, timerDeadline <= deadline { return }
        if let timer { loop.cancel(timer) }
        timerDeadline = deadline
        timer = loop.schedule(at: deadline) { [weak self] in self?.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        perform(transfer.timerFired(now: now))
    }

    private func end(_ event: TFTPEvent?) {
        guard !ended, let event else { return }
        ended = true
        if let timer { loop.cancel(timer) }
        timer = nil
        loop.deregister(socket.fd)
        onEnd(self, event)
    }
}
