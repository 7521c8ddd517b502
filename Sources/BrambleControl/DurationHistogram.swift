/// Durations counted into fixed buckets, as Prometheus histograms are: each observation
/// lands in the first bucket whose upper bound is at least the value, or past the last.
///
/// The daemon keeps one per measured thing and increments it in place: ``observe(microseconds:)``
/// is a short scan and two integer adds, with no allocation while the arrays are not
/// shared (the first observation after a snapshot copies them, once).
public struct DurationHistogram: Codable, Hashable, Sendable {
    /// Bucket upper bounds in microseconds, strictly ascending.
    public private(set) var upperBoundsMicroseconds: [Int64]
    /// Observations per bucket (not cumulative): one per bound, then one for the values
    /// past the last bound.
    public private(set) var counts: [Int]
    /// Every observed value added up, in microseconds.
    public private(set) var sumMicroseconds: Int64

    /// Bounds in microseconds; they are sorted and deduplicated, so any list is a valid one.
    public init(upperBoundsMicroseconds: [Int64]) {
        let bounds = Array(Set(upperBoundsMicroseconds)).sorted()
        self.upperBoundsMicroseconds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
        sumMicroseconds = 0
    }

    /// Bounds given in milliseconds, the unit the daemon's fixed bucket lists are written in.
    public init(upperBoundsMilliseconds: [Int64]) {
        self.init(upperBoundsMicroseconds: upperBoundsMilliseconds.map { $0 * 1000 })
    }

    public var count: Int { counts.reduce(0, &+) }

    /// Counts one duration; a negative one (a clock stepped back) counts as zero.
    public mutating func observe(microseconds: Int64) {
        let value = max(0, microseconds)
        var index = 0
        while index < upperBoundsMicroseconds.count, upperBoundsMicroseconds[index] < value { index += 1 }
        counts[index] &+= 1
        sumMicroseconds &+= value
    }

    enum CodingKeys: String, CodingKey {
        case upperBoundsMicroseconds, counts, sumMicroseconds
    }

    /// Refuses a histogram whose shape is not one ``init(upperBoundsMicroseconds:)`` makes:
    /// bounds not strictly ascending, a count per bound plus one missing, or a negative
    /// count or sum. A renderer can then rely on the shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let bounds = try container.decode([Int64].self, forKey: .upperBoundsMicroseconds)
        let counts = try container.decode([Int].self, forKey: .counts)
        let sum = try container.decode(Int64.self, forKey: .sumMicroseconds)
        guard zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DecodingError.dataCorruptedError(forKey: .upperBoundsMicroseconds, in: container, debugDescription: "bounds are not strictly ascending")
        }
        guard counts.count == bounds.count + 1, counts.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "need \(bounds.count + 1) counts of at least 0")
        }
        guard sum >= 0 else { throw DecodingError.dataCorruptedError(forKey: .sumMicroseconds, in: container, debugDescription: "negative sum") }
        upperBoundsMicroseconds = bounds
        self.counts = counts
        sumMicroseconds = sum
    }
}
