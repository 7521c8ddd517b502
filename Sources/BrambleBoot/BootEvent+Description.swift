/// The readable text of an event: what a node's log line says after its timestamps.
extension BootEvent.Kind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .dhcp(let exchange): exchange.description
        case .transferStarted(let file): "TFTP \(file) started"
        case .transferFinished(let file, let bytes, let milliseconds, let retransmits):
            "TFTP \(file) sent: \(bytes) bytes in \(milliseconds) ms" + (retransmits > 0 ? ", \(retransmits) retransmits" : "")
                + (BootloaderFileTimeout.warning(milliseconds: milliseconds).map { "; \($0)" } ?? "")
        case .transferFailed(let file, let reason): "TFTP \(file) failed: \(reason)"
        case .transferSlow(let file, let milliseconds):
            "TFTP \(file) still being sent after \(BootLogLine.seconds(Int64(milliseconds))): "
                + "a Pi 4/5 bootloader gives up on a file after \(BootloaderFileTimeout.defaultMilliseconds / 1000) s by default (EEPROM setting TFTP_FILE_TIMEOUT)"
        case .transferProbed(let file): "TFTP \(file) probed (the client checked it exists)"
        case .fileNotFound(let file, let routine, let tried):
            "TFTP \(file) not found" + (tried.isEmpty ? "" : " (tried \(tried.joined(separator: ", ")))") + (routine ? ", as expected" : "")
        case .firstDNSQuery: "first DNS query: the OS is up"
        case .bootloaderLog(let line): "bootloader: \(line)"
        case .bootloaderLogDropped(let lines): "bootloader log: \(lines) line\(lines == 1 ? "" : "s") dropped here, sent faster than bramble records them"
        }
    }
}

extension BootEvent.DHCPExchange: CustomStringConvertible {
    public var description: String {
        var text = "DHCP\(message.rawValue.uppercased())"
        if !client.isEmpty { text += " (\(client))" }
        switch answer {
        case .none: text += " not answered" + (ignoredBecause.map { ": \($0)" } ?? "")
        case .offer, .ack, .nak: text += " -> \(answer.rawValue.uppercased())" + (address.map { " \($0)" } ?? "")
        }
        return text
    }
}
