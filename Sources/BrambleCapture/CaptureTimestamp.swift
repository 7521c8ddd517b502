/// When a packet was seen: wall-clock seconds since the epoch and nanoseconds within the
/// second, as capture files store it.
public struct CaptureTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int64

    public init(seconds: Int64, nanoseconds: Int64) {
        self.seconds = seconds + nanoseconds / 1_000_000_000
        self.nanoseconds = nanoseconds % 1_000_000_000
    }

    public init(totalNanoseconds: Int64) {
        self.init(seconds: totalNanoseconds / 1_000_000_000, nanoseconds: totalNanoseconds % 1_000_000_000)
    }

    public var totalNanoseconds: Int64 { seconds * 1_000_000_000 + nanoseconds }

    public static func < (lhs: CaptureTimestamp, rhs: CaptureTimestamp) -> Bool { lhs.totalNanoseconds < rhs.totalNanoseconds }

    /// `1700000000.123456`: seconds and microseconds, as tcpdump prints them.
    public var description: String {
        let micros = String(nanoseconds / 1000)
        return "\(seconds)." + String(repeating: "0", count: max(0, 6 - micros.count)) + micros
    }
}
