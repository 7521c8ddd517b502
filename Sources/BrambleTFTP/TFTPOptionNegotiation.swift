/// Decides which of a read request's options the server grants (RFC 2347, 2348, 2349, 7440).
///
/// The rules, option by option (only options the client sent are ever answered; a name
/// that repeats counts once, first value; unknown names and unusable values are left out
/// of the OACK, which RFC 2347 defines as declining them):
/// - `blksize`: granted at the client's value, lowered to ``TFTPServerLimits/maximumBlockSize``
///   (a server may answer smaller, never larger). Below 8 or not a number: declined.
///   The Pi 4 sends `tsize 0 blksize 1024` and ignores config.txt unless this is granted.
/// - `tsize`: answered with the real size of what will be sent, when known.
/// - `timeout`: granted exactly as asked from 1 up to ``TFTPServerLimits/maximumTimeoutSeconds``;
///   anything else declined. RFC 2349 ("Timeout Interval Option Specification") allows
///   1-255 s and says the value in the OACK "must match the value specified by the client",
///   so a server may not answer a smaller value: it can only grant or decline.
/// - `windowsize`: 1-65535, lowered to ``TFTPServerLimits/maximumWindowSize``.
///
/// When nothing is granted there is no OACK and the transfer is plain RFC 1350.
public enum TFTPOptionNegotiation {
    public static let defaultBlockSize = 512
    public static let blockSizeRange = 8...65464
    public static let timeoutSecondsRange = 1...255
    public static let windowSizeRange = 1...65535

    /// - Parameters:
    ///   - requested: the request's options.
    ///   - transferSize: the bytes the transfer will send (after netascii conversion), or
    ///     nil when not known upfront; then `tsize` is declined.
    public static func negotiate(
        _ requested: TFTPOptions, transferSize: Int?, limits: TFTPServerLimits
    ) -> TFTPTransferParameters {
        var parameters = TFTPTransferParameters()
        var answered: Set<String> = []
        for option in requested {
            let name = option.name.lowercased()
            guard answered.insert(name).inserted, let number = decimal(option.value) else { continue }
            switch name {
            case "blksize" where number >= blockSizeRange.lowerBound:
                parameters.blockSize = min(number, limits.maximumBlockSize)
                parameters.acknowledgedOptions.append(name, String(parameters.blockSize))
            case "tsize":
                guard let transferSize else { continue }
                parameters.acknowledgedOptions.append(name, String(transferSize))
            case "timeout" where timeoutSecondsRange.contains(number) && number <= limits.maximumTimeoutSeconds:
                parameters.timeout = .seconds(number)
                parameters.acknowledgedOptions.append(name, String(number))
            case "windowsize" where number >= windowSizeRange.lowerBound:
                parameters.windowSize = min(number, limits.maximumWindowSize)
                parameters.acknowledgedOptions.append(name, String(parameters.windowSize))
            default:
                continue
            }
        }
        return parameters
    }

    /// Plain decimal digits, as RFC 2347 writes numbers; no sign, no spaces. Values too long
    /// for any option are not numbers either, which also keeps the arithmetic from overflowing.
    private static func decimal(_ text: String) -> Int? {
        guard (1...18).contains(text.utf8.count),
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(text)
    }
}
