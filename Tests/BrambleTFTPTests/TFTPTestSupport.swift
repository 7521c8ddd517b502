import BrambleNodeMap
import BrambleTFTP
import BrambleWire

/// Bytes of ASCII text with `\0` where the wire has NUL: requests read as they are written
/// in RFC 1350's figures.
func wire(_ opcode: UInt8, _ text: String) -> [UInt8] {
    [0, opcode] + Array(text.utf8)
}

/// An instant `seconds` after an arbitrary origin far from zero, so no test depends on
/// the clock starting at 0.
func at(_ seconds: Double) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: 1_000_000_000_000 + UInt64(seconds * 1_000_000_000))
}

let clusterSubnet = IPv4Interface("10.42.0.250/24")!.subnet
let hubAddress = IPv4Address(10, 42, 0, 250)

func nodeMap(_ text: String) throws -> NodeMap {
    try NodeMap(parsing: text, fileName: "nodes", subnet: clusterSubnet)
}
