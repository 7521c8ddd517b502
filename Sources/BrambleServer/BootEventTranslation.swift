import BrambleBoot
import BrambleDHCP
import BrambleTFTP

/// The protocol services' events in the boot timeline's terms. Kept at the edge so the
/// timeline depends on no protocol module.
extension BootEvent.Kind {
    /// A DHCP exchange; nil for what says nothing about a boot (a message type only servers send).
    init?(_ event: DHCPEvent) {
        let message: BootEvent.DHCPExchange.Message
        switch event.received {
        case .discover: message = .discover
        case .request: message = .request
        case .inform: message = .inform
        case .decline: message = .decline
        case .release: message = .release
        case .offer, .ack, .nak: return nil
        }
        var answer = BootEvent.DHCPExchange.Answer.none
        var address: String?
        var failure: String?
        switch event.outcome {
        case .replied(let type, let offered):
            switch type {
            case .offer: answer = .offer
            case .ack: answer = .ack
            case .nak: answer = .nak
            default: answer = .none
            }
            address = offered.map(String.init(describing:))
        case .ignored(let reason):
            failure = Self.isBootFailure(reason) ? reason.description : nil
        }
        let model = event.model
        var client = event.client.description
        if let board = event.boardRevision {
            client += ", \(board)"
        } else if case .pxe = event.client, let model {
            client += ", \(model)"
        }
        if let serial = event.serial { client += ", serial \(serial)" }
        self = .dhcp(
            BootEvent.DHCPExchange(
                message: message, answer: answer, firmware: event.client.isPXE, transactionID: event.transactionID,
                ignoredBecause: failure, client: client, address: address, model: model?.name, modelIsDefinite: model?.isDefinite ?? true))
    }

    /// Silence that stops a boot, as opposed to silence the protocol asks for (another
    /// server chosen, a RELEASE).
    private static func isBootFailure(_ reason: DHCPIgnoreReason) -> Bool {
        switch reason {
        case .disabledNode, .poolExhausted, .noRecordOfClient, .foreignRelay, .noBootFileForClient,
             .malformedClientMachineIdentifier: true
        case .unknownMAC, .otherServerChosen, .noReplyExpected, .unusableHardwareAddress, .unusableAddressField, .addressingLeftToNetwork: false
        }
    }

    /// A TFTP transfer's start or end.
    init(_ event: TFTPEvent, fileName: String) {
        switch event {
        case .started: self = .transferStarted(file: fileName)
        case .finished(let summary):
            let (seconds, attoseconds) = summary.duration.components
            self = .transferFinished(
                file: fileName, bytes: summary.bytes, milliseconds: Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000),
                retransmits: summary.retransmits)
        case .failed(let failure): self = .transferFailed(file: fileName, reason: failure.description)
        case .probeEnded: self = .transferProbed(file: fileName)
        }
    }

    /// A request refused before any transfer; nil for refusals that are no boot step
    /// (traversal attempts are logged by TFTP itself).
    init?(refusal: TFTPPathRefusal, fileName: String, tried: [String]) {
        switch refusal {
        case .notFound(let isRoutine): self = .fileNotFound(file: fileName, routine: isRoutine, tried: tried)
        case .templateNeedsKnownNode(let path): self = .transferFailed(file: fileName, reason: "\(path) is a template for known nodes only")
        case .isDirectory, .accessViolation: return nil
        }
    }
}
