import BrambleCapture
import BrambleWire

/// The capture `bramble replay --update` writes: the original's client frames (everything
/// not sent by the hub) with today's answers in place of the hub's, each answer right
/// after the packet that caused it; upstream answers are readdressed to replay's queries.
/// Answers are framed like `--capture` frames UDP, with ``MACAddress/captureStandIn(for:)``.
public enum ReplayCapture {
    public static func frames(original: [CapturedFrame], report: ReplayReport, hub: IPv4Address) -> [CapturedFrame] {
        var answersByCause: [Int: [ReplayedPacket]] = [:]
        for packet in report.produced { answersByCause[packet.cause, default: []].append(packet) }
        var frames: [CapturedFrame] = []
        for frame in original {
            let datagram = try? CapturedDatagram(decoding: frame)
            if datagram?.frame.sourceAddress != hub {
                var kept = renumbered(frame, frames.count + 1)
                if let datagram, let rewrite = report.upstreamAnswerRewrites[frame.number] {
                    kept.bytes = readdressed(datagram.frame, id: rewrite.id, port: rewrite.port)
                }
                frames.append(kept)
            }
            for answer in answersByCause[frame.number] ?? [] {
                frames.append(CapturedFrame(number: frames.count + 1, timestamp: answer.timestamp, bytes: encode(answer)))
            }
        }
        return frames
    }

    /// An upstream's answer, sent to the replay's query: its ID and port.
    private static func readdressed(_ frame: EthernetUDPFrame, id: UInt16, port: UInt16) -> [UInt8] {
        var frame = frame
        var payload = Array(frame.payload)
        if payload.count >= 2 {
            payload[0] = UInt8(id >> 8)
            payload[1] = UInt8(id & 0xff)
        }
        frame.payload = payload[...]
        frame.destinationPort = port
        return frame.encoded()
    }

    private static func renumbered(_ frame: CapturedFrame, _ number: Int) -> CapturedFrame {
        var frame = frame
        frame.number = number
        return frame
    }

    private static func encode(_ packet: ReplayedPacket) -> [UInt8] {
        let destinationMAC = packet.destinationMAC ?? (packet.destination == .broadcast ? .broadcast : MACAddress.captureStandIn(for: packet.destination))
        return EthernetUDPFrame(
            sourceMAC: .captureStandIn(for: packet.source), destinationMAC: destinationMAC, sourceAddress: packet.source,
            destinationAddress: packet.destination, sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
            payload: packet.payload[...]
        ).encoded()
    }
}
