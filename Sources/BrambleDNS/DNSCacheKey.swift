/// What a cached answer answers: the question (name compared case-insensitively, so the
/// cache is shared across cases) and whether DNSSEC records were asked for, since answers
/// with DO set carry RRSIGs that others do not want.
public struct DNSCacheKey: Hashable, Sendable {
    public var question: DNSQuestion
    public var dnssecOK: Bool

    public init(question: DNSQuestion, dnssecOK: Bool) {
        self.question = question
        self.dnssecOK = dnssecOK
    }
}
