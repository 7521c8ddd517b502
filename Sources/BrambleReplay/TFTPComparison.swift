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
            return ["packet: capture \(capture), replay \(replay)"]
        }
    }
}
