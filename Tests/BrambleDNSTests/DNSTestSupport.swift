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
