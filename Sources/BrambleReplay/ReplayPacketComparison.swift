import BrambleDHCP
import BrambleDNS
import BrambleTFTP

/// One capture packet against the replay's, by protocol. Ignored everywhere: MAC addresses
/// of frames recorded from UDP sockets (stand-ins), IP identification and TTL, checksums,
/// timestamps. Per protocol: TFTP's server port (each transfer's is ephemeral), upstream
/// query IDs and source ports (random by design), the SOA serial (see ``DNSComparison``).
enum ReplayPacketComparison {
    static func differences(_ conversation: ReplayConversation, capture: ReplayedPacket, replay: ReplayedPacket) -> [String] {
        var lines: [String] = []
        FieldFormatting.compare("destination", "\(capture.destination)", "\(replay.destination)", into: &lines)
        FieldFormatting.compare("destination port", capture.destinationPort, replay.destinationPort, into: &lines)
        switch conversation {
        case .dhcp:
            if let mac = replay.destinationMAC, capture.destinationMAC != nil {
                FieldFormatting.compare("destination MAC", "\(capture.destinationMAC!)", "\(mac)", into: &lines)
            }
            FieldFormatting.compare("source port", capture.sourcePort, replay.sourcePort, into: &lines)
            lines += decoded(capture.payload, replay.payload, { try? DHCPMessage(decoding: $0) }, DHCPComparison.differences)
        case .tftp:
            lines += decoded(capture.payload, replay.payload, { try? TFTPPacket(decoding: $0) }, TFTPComparison.differences)
        case .dns:
            FieldFormatting.compare("source port", capture.sourcePort, replay.sourcePort, into: &lines)
            lines += decoded(capture.payload, replay.payload, { try? DNSMessage(decoding: $0) }, DNSComparison.differences)
        case .upstream:
            lines += decoded(capture.payload, replay.payload, { try? DNSMessage(decoding: $0) }) { c, r in
                var r = r
                r.header.id = c.header.id
                return DNSComparison.differences(capture: c, replay: r)
            }
        }
        return lines
    }

    /// One line naming what a packet is, for packets only one side has.
    static func summary(_ conversation: ReplayConversation, _ payload: [UInt8]) -> String {
        switch conversation {
        case .dhcp:
            guard let message = try? DHCPMessage(decoding: payload) else { return "\(payload.count) bytes" }
            let type = message.options[.messageType].flatMap(\.first).map { "type \($0)" } ?? "BOOTP"
            return "DHCP \(type), yiaddr \(message.yourAddress)"
        case .tftp:
            guard let packet = try? TFTPPacket(decoding: payload) else { return "\(payload.count) bytes" }
            return TFTPComparison.text(packet)
        case .dns, .upstream:
            guard let message = try? DNSMessage(decoding: payload) else { return "\(payload.count) bytes" }
            return "DNS \(message.responseCode) for \(message.questions.map(\.description).joined(separator: ", ")), \(message.answers.count) answers"
        }
    }

    private static func decoded<T>(
        _ capture: [UInt8], _ replay: [UInt8], _ decode: (ArraySlice<UInt8>) -> T?, _ compare: (T, T) -> [String]
    ) -> [String] {
        switch (decode(capture[...]), decode(replay[...])) {
        case (let c?, let r?): compare(c, r)
        case (nil, _): capture == replay ? [] : ["the capture's packet does not decode (\(capture.count) bytes); replay's differs"]
        case (_, nil): ["replay's packet does not decode (\(replay.count) bytes)"]
        }
    }
}
