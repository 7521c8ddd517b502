import BrambleTFTP

/// TFTP packets one by one: opcode, block number, data (the first differing byte), error
/// code and message, acknowledged options.
public enum TFTPComparison {
    public static func differences(capture: TFTPPacket, replay: TFTPPacket) -> [String] {
        guard capture != replay else { return [] }
        switch (capture, replay) {
        case (.data(let cb, let cd), .data(let rb, let rd)):
            var lines: [String] = []
            FieldFormatting.compare("block", cb, rb, into: &lines)
            FieldFormatting.compare("data length", cd.count, rd.count, into: &lines)
            if let offset = zip(cd, rd).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                lines.append("data differs from byte \(offset)")
            }
            return lines
        default:
            return ["packet: capture \(text(capture)), replay \(text(replay))"]
        }
    }

    /// A packet as tcpdump shows it: `DATA block 3, 512 bytes`, `ERROR 1 "file not found: x"`.
    static func text(_ packet: TFTPPacket) -> String {
        switch packet {
        case .readRequest(let request): "RRQ \"\(request.fileName)\" \(request.mode) \(request.options)"
        case .writeRequest(let request): "WRQ \"\(request.fileName)\" \(request.mode) \(request.options)"
        case .data(let block, let payload): "DATA block \(block), \(payload.count) bytes"
        case .acknowledgement(let block): "ACK block \(block)"
        case .error(let code, let message): "ERROR \(code.rawValue) \"\(message)\""
        case .optionAcknowledgement(let options): "OACK \(options)"
        }
    }
}
