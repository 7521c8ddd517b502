import BrambleDNS
import BrambleNodeMap
import BrambleWire

let hubInterface = IPv4Interface("10.42.0.250/24")!
let clusterDomain = try! DomainName(parsing: "cluster")

/// A name from text; test vectors only, so a bad one is a bug in the test and traps.
func name(_ text: String) -> DNSName { try! DNSName(parsing: text) }

func query(_ text: String, _ type: DNSRecordType, id: UInt16 = 0x1234, edns: DNSEDNS? = nil) -> DNSMessage {
    DNSMessage(
        header: DNSHeader(id: id, recursionDesired: true),
        questions: [DNSQuestion(name: name(text), type: type)], edns: edns)
}

/// Node lines `ID MAC` for IDs given, with optional explicit names.
func nodeMap(_ lines: [String], subnet: IPv4Subnet = hubInterface.subnet) throws -> NodeMap {
    try NodeMap(parsing: lines.joined(separator: "\n") + "\n", fileName: "nodes", subnet: subnet)
}

/// Bytes from hex text: `"c0 0c"`. Test vectors only.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Deterministic randomness for the forwarder: SplitMix64, so a test sees the same IDs on
/// every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// An instant `nanoseconds` from the tests' arbitrary origin.
func at(_ nanoseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds) }

extension DNSName {
    /// Whether the names are the same bytes, case included: how a test tells that an answer
    /// kept the question's case (equality ignores case).
    func isIdentical(to other: DNSName) -> Bool { wire == other.wire }
}

extension DNSMessage {
    /// The most bytes an error response from the server takes (FORMERR, REFUSED, NOTIMP,
    /// BADVERS, the forwarder's SERVFAIL): the header, at most one question of at most
    /// 255 + 4 bytes, and an OPT record without options; within any UDP reply's 512.
    static let maximumErrorResponseSize = headerLength + DNSName.maximumWireLength + 4 + 11
}
