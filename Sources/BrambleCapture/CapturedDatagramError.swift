import BrambleWire

/// Why a captured frame is not a datagram replay can use.
public enum CapturedDatagramError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The capture kept only the first `kept` of `original` bytes (a small snap length).
    case truncatedRecord(kept: Int, original: Int)
    case notUDP(FrameDecodingError)

    public var description: String {
        switch self {
        case .truncatedRecord(let kept, let original):
            "record keeps \(kept) of \(original) bytes: capture with a larger snap length (tcpdump -s 0)"
        case .notUDP(let error):
            "\(error)"
        }
    }
}
