import BrambleDHCP
import BrambleWire

/// DHCP replies field by field and option by option. Nothing is ignored: a reply depends
/// only on the request, the node map, the config and the lease state, all of which replay
/// reproduces.
public enum DHCPComparison {
    public static func differences(capture: DHCPMessage, replay: DHCPMessage) -> [String] {
        var lines: [String] = []
        FieldFormatting.compare("op", capture.operation, replay.operation, into: &lines)
        FieldFormatting.compare("htype", capture.hardwareType, replay.hardwareType, into: &lines)
        FieldFormatting.compare("hlen", capture.hardwareAddressLength, replay.hardwareAddressLength, into: &lines)
        FieldFormatting.compare("hops", capture.hops, replay.hops, into: &lines)
        FieldFormatting.compare("xid", capture.transactionID, replay.transactionID, into: &lines)
        FieldFormatting.compare("secs", capture.secondsElapsed, replay.secondsElapsed, into: &lines)
        FieldFormatting.compare("flags", capture.flags, replay.flags, into: &lines)
        FieldFormatting.compare("ciaddr", capture.clientAddress, replay.clientAddress, into: &lines)
        FieldFormatting.compare("yiaddr", capture.yourAddress, replay.yourAddress, into: &lines)
        FieldFormatting.compare("siaddr", capture.serverAddress, replay.serverAddress, into: &lines)
        FieldFormatting.compare("giaddr", capture.relayAgentAddress, replay.relayAgentAddress, into: &lines)
        FieldFormatting.compare("chaddr", capture.clientHardwareAddress, replay.clientHardwareAddress, into: &lines, show: FieldFormatting.hex)
        FieldFormatting.compare("sname", trimmed(capture.serverName), trimmed(replay.serverName), into: &lines, show: FieldFormatting.bytes)
        FieldFormatting.compare("file", trimmed(capture.bootFileName), trimmed(replay.bootFileName), into: &lines, show: FieldFormatting.bytes)
        let captureCodes = capture.options.map(\.code)
        let replayCodes = replay.options.map(\.code)
        var seen = Set<DHCPOptionCode>()
        for code in captureCodes + replayCodes where seen.insert(code).inserted {
            FieldFormatting.compare("option \(code)", capture.options[code], replay.options[code], into: &lines) {
                FieldFormatting.dhcpOption(code.rawValue, $0)
            }
        }
        if lines.isEmpty, captureCodes != replayCodes {
            lines.append("option order: capture \(captureCodes.map { String($0.rawValue) }.joined(separator: ",")), replay \(replayCodes.map { String($0.rawValue) }.joined(separator: ","))")
        }
        return lines
    }

    /// The fixed `sname`/`file` fields without their zero padding.
    private static func trimmed(_ field: [UInt8]) -> [UInt8] {
        Array(field.prefix { $0 != 0 })
    }
}
