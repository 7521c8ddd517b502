import BrambleCapture
import BrambleWire

/// The capture `bramble replay --update` writes: the original's client frames (everything
/// not sent by the hub) with today's answers in place of the hub's, each answer right
/// after the packet that caused it. Answers are framed like `--capture` frames UDP: MACs
/// made from the IPv4 addresses (`02:00:` + octets).
public enum ReplayCapture {
    public static func frames(original: [CapturedFrame], report: ReplayReport, hub: IPv4Address) -> [CapturedFrame] {
        var answersByCause: [Int: [ReplayedPacket]] = [:]
        for packet in report.produced { answersByCause[packet.cause, default: []].append(packet) }
        var frames: [CapturedFrame] = []
        for frame in original {
            let fromHub = (try? CapturedDatagram(decoding: frame))?.frame.sourceAddress == hub
            if !fromHub { frames.append(renumbered(frame, frames.count + 1)) }
            for answer in answersByCause[frame.number] ?? [] {
                frames.append(CapturedFrame(number: frames.count + 1, timestamp: answer.timestamp, bytes: encode(answer)))
            }
        }
        return frames
    }

    private static func renumbered(_ frame: CapturedFrame, _ number: Int) -> CapturedFrame {
        var frame = frame
        frame.number = number
        return frame
    }

    private static func encode(_ packet: ReplayedPacket) -> [UInt8] {
        let destinationMAC = packet.destinationMAC ?? (packet.destination == .broadcast ? .broadcast : standIn(packet.destination))
        return EthernetUDPFrame(
            sourceMAC: standIn(packet.source), destinationMAC: destinationMAC, sourceAddress: packet.source,
            destinationAddress: packet.destination, sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
            payload: packet.payload[...]
        ).encoded()
    }

    private static func standIn(_ address: IPv4Address) -> MACAddress {
        let octets = address.bytes
        return MACAddress(0x02, 0x00, octets[0], octets[1], octets[2], octets[3])
    }
}
