/// One thing that happened to one node, in the terms the boot timeline needs: the spine
/// every responder feeds (docs/architecture.md, "The boot-event spine"). The server translates DHCP, TFTP and DNS events into
/// these, so the timeline depends on no protocol module and replays from any source.
public struct BootEvent: Hashable, Sendable {
    /// Wall-clock milliseconds since the epoch, not a monotonic instant: boot logs and status
    /// are read by an operator and outlive the process (docs/architecture.md, "Time").
    public var time: Int64
    public var kind: Kind

    public init(time: Int64, kind: Kind) {
        self.time = time
        self.kind = kind
    }

    public enum Kind: Hashable, Sendable {
        /// A DHCP message from the node and what it got. `firmware` is true for boot ROMs,
        /// bootcode.bin and the Pi 4 bootloader (PXE class), false for the kernel and the OS.
        case dhcp(DHCPExchange)
        case transferStarted(file: String)
        case transferFinished(file: String, bytes: Int, milliseconds: Int, retransmits: Int)
        case transferFailed(file: String, reason: String)
        /// A transfer still running after half of the Pi 4/5 bootloader's per-file timeout
        /// (``BootloaderFileTimeout``): a warning, no failure.
        case transferSlow(file: String, milliseconds: Int)
        /// The client read the file's size or first block and left: how the Pi firmware
        /// checks that a file exists. Recorded, never a failure.
        case transferProbed(file: String)
        /// `routine` for files the firmware probes and normally misses (bootsig.bin, the
        /// serial-prefix probe): recorded, never a failure. `tried` lists the boot-tree paths
        /// looked at, so the log says where the file was expected.
        case fileNotFound(file: String, routine: Bool, tried: [String])
        /// The node's first DNS query: its OS is up.
        case firstDNSQuery
        /// A line of the Pi 4/5 bootloader's own debug log, received over its netconsole
        /// (docs/netconsole.md): recorded in the node's log, no step of the timeline.
        case bootloaderLog(line: String)
        /// Netconsole lines of the node not recorded: it sent faster than the sink's limit.
        case bootloaderLogDropped(lines: Int)
    }

    public struct DHCPExchange: Hashable, Sendable {
        public enum Message: String, Hashable, Sendable { case discover, request, inform, decline, release }
        public enum Answer: String, Hashable, Sendable { case offer, ack, nak, none }

        public var message: Message
        public var answer: Answer
        public var firmware: Bool
        public var transactionID: UInt32
        /// Why there was no answer, when that is a failure (e.g. "node is disabled").
        public var ignoredBecause: String?
        /// The kind of client, readable ("Pi 3B ROM", "DHCP client"), for the log line.
        public var client: String
        /// The address offered or acknowledged.
        public var address: String?
        /// The model the firmware reported ("Pi 5B 8GB rev 1.0"), for `bramble status`; nil
        /// when this message names none (the kernel's and the OS's DHCP).
        public var model: String?
        /// False for a guess ("Pi 3B+ or bootcode.bin") that must not replace a model the
        /// node reported for sure earlier (the Pi 3B ROM before its bootcode.bin).
        public var modelIsDefinite: Bool

        public init(
            message: Message, answer: Answer, firmware: Bool, transactionID: UInt32, ignoredBecause: String? = nil,
            client: String = "", address: String? = nil, model: String? = nil, modelIsDefinite: Bool = true
        ) {
            self.message = message
            self.answer = answer
            self.firmware = firmware
            self.transactionID = transactionID
            self.ignoredBecause = ignoredBecause
            self.client = client
            self.address = address
            self.model = model
            self.modelIsDefinite = modelIsDefinite
        }
    }
}

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
    /// Built as bytes: two of these are written per DHCP exchange, and string
    /// interpolation with `uppercased()` cost more than the rest of the line.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40 + client.utf8.count + (address?.utf8.count ?? 0) + (ignoredBecause?.utf8.count ?? 0))
        switch message {
        case .discover: bytes.appendUTF8("DHCPDISCOVER")
        case .request: bytes.appendUTF8("DHCPREQUEST")
        case .inform: bytes.appendUTF8("DHCPINFORM")
        case .decline: bytes.appendUTF8("DHCPDECLINE")
        case .release: bytes.appendUTF8("DHCPRELEASE")
        }
        if !client.isEmpty {
            bytes.appendUTF8(" (")
            bytes.appendUTF8(client)
            bytes.append(UInt8(ascii: ")"))
        }
        switch answer {
        case .none:
            bytes.appendUTF8(" not answered")
            if let ignoredBecause {
                bytes.appendUTF8(": ")
                bytes.appendUTF8(ignoredBecause)
            }
        case .offer, .ack, .nak:
            bytes.appendUTF8(answer == .offer ? " -> OFFER" : answer == .ack ? " -> ACK" : " -> NAK")
            if let address {
                bytes.append(UInt8(ascii: " "))
                bytes.appendUTF8(address)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
