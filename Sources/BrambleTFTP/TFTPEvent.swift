/// What a TFTP transfer contributes to the boot-event stream. The server adds the client
/// and the time; the per-node timeline reads the file names to place the node in its boot
/// (bootcode.bin, start4.elf, config.txt, the kernel).
public enum TFTPEvent: Hashable, Sendable {
    /// A transfer began: the name asked for, the file chosen for it, what was negotiated.
    case started(fileName: String, resolved: TFTPResolvedPath, parameters: TFTPTransferParameters)
    case finished(TFTPTransferSummary)
    case failed(TFTPTransferFailure)
    /// The client only probed the file (read its size or first block and left): normal Pi
    /// firmware behaviour, reported so a timeline can show it, never as a failure.
    case probeEnded(TFTPAbandonment)

    /// The event a transfer's final action stands for; nil for actions that do not end it.
    public init?(ending action: TFTPTransfer.Action) {
        switch action {
        case .finished(let summary): self = .finished(summary)
        case .failed(let failure): self = .failed(failure)
        case .abandoned(let abandonment): self = .probeEnded(abandonment)
        case .send, .sendData, .armTimer: return nil
        }
    }
}
