/// When a packet was seen: wall-clock seconds since the epoch and nanoseconds within the
/// second, as capture files store it.
///
/// Any pair of integers makes a timestamp: capture files are input, and libpcap hands over
/// whatever a record holds (a fraction field of 2^32 - 1 arrives as a negative number, a
/// pcapng 64-bit timestamp in coarse units as seconds near the limits of `Int64`). So the
/// fraction is normalised to 0..<10^9 by flooring, and arithmetic that would overflow
/// saturates instead of trapping.
public struct CaptureTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    /// Always in 0..<1_000_000_000.
    public var nanoseconds: Int64

    static let nanosecondsPerSecond: Int64 = 1_000_000_000

    public init(seconds: Int64, nanoseconds: Int64) {
        var (carry, fraction) = nanoseconds.quotientAndRemainder(dividingBy: Self.nanosecondsPerSecond)
        if fraction < 0 {
            fraction += Self.nanosecondsPerSecond
            carry -= 1
        }
        let (sum, overflow) = seconds.addingReportingOverflow(carry)
        if overflow {
            self.seconds = carry < 0 ? .min : .max
            self.nanoseconds = carry < 0 ? 0 : Self.nanosecondsPerSecond - 1
        } else {
            self.seconds = sum
            self.nanoseconds = fraction
        }
    }

    public init(totalNanoseconds: Int64) {
        self.init(seconds: 0, nanoseconds: totalNanoseconds)
    }

    /// Nanoseconds since the epoch, clamped to what `Int64` holds (about the years 1677 to
    /// 2262).
    public var totalNanoseconds: Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: Self.nanosecondsPerSecond)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(nanoseconds)
        return overflowAgain ? .max : total
    }

    public static func < (lhs: CaptureTimestamp, rhs: CaptureTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// `1700000000.123456`: seconds and microseconds, as tcpdump prints them.
    public var description: String {
        let micros = String(nanoseconds / 1000)
        return "\(seconds)." + String(repeating: "0", count: max(0, 6 - micros.count)) + micros
    }
}
