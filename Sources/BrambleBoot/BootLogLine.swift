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

    /// Built as bytes, not by string interpolation: every DHCP exchange writes two of these
    /// lines, and interpolating the timestamp's seven padded numbers cost more than
    /// answering the request.
    public static func format(time: Int64, bootStarted: Int64?, node: String, stage: BootStage, failure: Bool, text: String) -> String {
        var bytes: [UInt8] = []
        append(time: time, bootStarted: bootStarted, node: node, stage: stage, failure: failure, text: text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``format(time:bootStarted:node:stage:failure:text:)``'s UTF-8 appended to `bytes`: the
    /// daemon builds each line in one buffer it reuses and writes it from there, and makes
    /// a string of it only for a client following the log.
    public static func append(time: Int64, bootStarted: Int64?, node: String, stage: BootStage, failure: Bool, text: String, to bytes: inout [UInt8]) {
        let node = LogText.escaped(node)
        let text = LogText.escaped(text)
        bytes.reserveCapacity(bytes.count + 64 + node.utf8.count + text.utf8.count)
        UTCTimestamp.append(milliseconds: time, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        if let bootStarted {
            bytes.append(UInt8(ascii: "+"))
            appendSeconds(bootStarted <= time ? time - bootStarted : 0, to: &bytes)
        } else {
            bytes.append(UInt8(ascii: "-"))
        }
        bytes.append(UInt8(ascii: " "))
        bytes.appendUTF8(node)
        bytes.append(UInt8(ascii: " "))
        let stageName = stage.description
        bytes.appendUTF8(stageName)
        for _ in 0..<max(0, stageWidth - stageName.utf8.count) { bytes.append(UInt8(ascii: " ")) }
        bytes.append(UInt8(ascii: " "))
        if failure { bytes.appendUTF8("FAILED ") }
        bytes.appendUTF8(text)
    }

    /// Milliseconds as seconds with three decimals: `3.250s`.
    public static func seconds(_ milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        appendSeconds(milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``seconds(_:)``'s bytes; a negative count (no caller has one) reads as zero.
    static func appendSeconds(_ milliseconds: Int64, to bytes: inout [UInt8]) {
        let milliseconds = UInt64(max(0, milliseconds))
        appendDecimal(milliseconds / 1000, width: 1, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDecimal(milliseconds % 1000, width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "s"))
    }
}

extension [UInt8] {
    /// The string's UTF-8 in one copy from its contiguous storage (the generic
    /// `append(contentsOf: text.utf8)` may walk it byte by byte).
    mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}

/// `value` in decimal, zero-padded to `width` digits at least. The digits are written
/// into a buffer on the stack, last first, and appended in one copy: a log line has a dozen
/// such numbers, and appending digit by digit (each append checking the array's capacity
/// and uniqueness) cost more than the rest of the line.
func appendDecimal(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
    // UInt64.max has 20 digits.
    let room = 20
    for _ in room..<max(room, width) { bytes.append(UInt8(ascii: "0")) }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { digits in
        var rest = value
        var start = room
        repeat {
            start -= 1
            digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while rest > 0
        while room - start < min(width, room) {
            start -= 1
            digits[start] = UInt8(ascii: "0")
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
    }
}

/// Wall-clock milliseconds as ISO 8601 UTC (`2026-12-02T04:10:00.123Z`), computed here so
/// log lines need no C library time zone state and tests need no clock.
public enum UTCTimestamp {
    public static func format(milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(milliseconds: milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``format(milliseconds:)``'s bytes appended to `bytes`.
    static func append(milliseconds: Int64, to bytes: inout [UInt8]) {
        let seconds = milliseconds.floorDivided(by: 1000)
        let millis = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        // Every year a clock shows: the 24 bytes written in place, then appended in one copy.
        if (0...9999).contains(year) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { out in
                func put(_ value: Int, width: Int, at offset: Int) {
                    var rest = value
                    for index in stride(from: offset + width - 1, through: offset, by: -1) {
                        out[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                        rest /= 10
                    }
                }
                put(Int(year), width: 4, at: 0)
                out[4] = UInt8(ascii: "-")
                put(month, width: 2, at: 5)
                out[7] = UInt8(ascii: "-")
                put(day, width: 2, at: 8)
                out[10] = UInt8(ascii: "T")
                put(secondOfDay / 3600, width: 2, at: 11)
                out[13] = UInt8(ascii: ":")
                put(secondOfDay / 60 % 60, width: 2, at: 14)
                out[16] = UInt8(ascii: ":")
                put(secondOfDay % 60, width: 2, at: 17)
                out[19] = UInt8(ascii: ".")
                put(millis, width: 3, at: 20)
                out[23] = UInt8(ascii: "Z")
                bytes.append(contentsOf: UnsafeBufferPointer(out))
            }
            return
        }
        if year >= 0 {
            appendDecimal(UInt64(year), width: 4, to: &bytes)
        } else {
            let digits = String(year)
            bytes.append(contentsOf: (String(repeating: "0", count: max(0, 4 - digits.count)) + digits).utf8)
        }
        bytes.append(UInt8(ascii: "-"))
        appendDecimal(UInt64(month), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDecimal(UInt64(day), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDecimal(UInt64(secondOfDay / 3600), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(UInt64(secondOfDay / 60 % 60), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(UInt64(secondOfDay % 60), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDecimal(UInt64(millis), width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
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
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
