/// One line of a node's boot log: when (UTC), how long after power-on (the first ROM DHCP
/// of this boot), the node, the stage it is in after the event, and what happened.
///
/// `2026-12-02T04:10:03.250Z +3.250s node05 firmware    TFTP bootcode.bin sent: 52480 bytes in 40 ms`
///
/// The node's name and the event's text are escaped (``LogText``): the text carries what
/// clients sent (file names, host names), and a line must stay one line, in the node's log
/// file and on the terminal of whoever follows it with `bramble logs`.
public enum BootLogLine {
    /// Wide enough for the longest stage name, so the texts line up.
    static let stageWidth = BootStage.allCases.map(\.description.count).max() ?? 0

    public static func format(time: Int64, bootStarted: Int64?, node: String, stage: BootStage, failure: Bool, text: String) -> String {
        let since = bootStarted.map { "+" + seconds($0 <= time ? time - $0 : 0) } ?? "-"
        let stageName = stage.description
        let padding = String(repeating: " ", count: max(0, stageWidth - stageName.count))
        return "\(UTCTimestamp.format(milliseconds: time)) \(since) \(LogText.escaped(node)) \(stageName)\(padding) \(failure ? "FAILED " : "")\(LogText.escaped(text))"
    }

    /// Milliseconds as seconds with three decimals: `3.250s`.
    public static func seconds(_ milliseconds: Int64) -> String {
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}

/// Wall-clock milliseconds as ISO 8601 UTC (`2026-12-02T04:10:00.123Z`), computed here so
/// log lines need no C library time zone state and tests need no clock.
public enum UTCTimestamp {
    public static func format(milliseconds: Int64) -> String {
        let seconds = milliseconds.floorDivided(by: 1000)
        let millis = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return "\(pad(Int(year), 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    /// Howard Hinnant's days-to-civil algorithm for the proleptic Gregorian calendar.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
