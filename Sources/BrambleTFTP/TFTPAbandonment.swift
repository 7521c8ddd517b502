/// How a client walked away from a transfer it only meant to probe. Normal Pi firmware
/// behaviour (it checks a file exists, or reads its `tsize`, then asks again), so it is
/// reported as the end of a probe and never logged as a failure.
public enum TFTPAbandonment: Hashable, Sendable, CustomStringConvertible {
    /// ERROR 0 (usually "Early terminate") after the OACK or the first block.
    case endedEarly(message: String)
    /// No answer to the OACK or the first block until the retries ran out. A client that
    /// lost every packet looks the same; the bounded wait keeps that rare case cheap.
    case wentSilent(acknowledgedBlocks: Int)

    public var description: String {
        switch self {
        case .endedEarly(let message): "client ended the probe: \(message)"
        case .wentSilent(let blocks): "client went silent after \(blocks) acknowledged block(s)"
        }
    }
}
