/// The zone's answers, kept encoded as they are first given, so a repeated question is
/// answered by copying bytes: no decoding, no zone lookup, no encoding, no allocation.
///
/// Filled by the server as the zone answers queries of the common shape
/// (``DNSQueryView``), and emptied whenever a new zone is swapped in, so it never outlives
/// the names it was made from. Costs nothing when the zone is built (a large node map
/// reloads as fast as before) and holds only what clients ask. Bounded: when full (a
/// client asking for endless made-up names), it starts over.
public struct DNSAnswerMemo: Sendable {
    public let capacity: Int
    private var index: DNSQuestionIndex
    private var responses: [DNSStoredResponse] = []
    private let seed: UInt64

    /// - Parameter seed: random in the server: clients choose the names.
    public init(capacity: Int = 4096, seed: UInt64 = 0) {
        self.capacity = capacity
        self.seed = seed
        index = DNSQuestionIndex(seed: seed)
    }

    public var count: Int { responses.count }

    public mutating func removeAll() {
        index = DNSQuestionIndex(seed: seed)
        responses.removeAll()
    }

    /// Writes the remembered answer to `view`'s question into `out`, patched for this
    /// query; false when there is none or it needs truncating to `maximumSize`.
    public func write(to view: DNSQueryView, in bytes: ArraySlice<UInt8>, maximumSize: Int, into out: inout [UInt8]) -> Bool {
        guard let found = index.value(for: view, in: bytes, flags: 0) else { return false }
        return responses[found].write(answering: view, in: bytes, maximumSize: maximumSize, into: &out)
    }

    /// Remembers the zone's `response` to the query `view` (whose bytes are `bytes`). The
    /// response depends on the query only through what ``DNSStoredResponse`` patches (ID,
    /// RD, CD, the question's case, the OPT record), which is cleared here.
    public mutating func remember(_ response: DNSMessage, answering view: DNSQueryView, in bytes: ArraySlice<UInt8>) {
        guard capacity > 0 else { return }
        var canonical = response
        canonical.header.id = 0
        canonical.header.recursionDesired = false
        canonical.header.checkingDisabled = false
        canonical.edns = nil
        guard let stored = DNSStoredResponse(canonical) else { return }
        let key = DNSQuestionIndex.key(view, in: bytes, flags: 0)
        guard index.value(for: key) == nil else { return }
        if count >= capacity { removeAll() }
        index.insert(key, value: responses.count)
        responses.append(stored)
    }
}
