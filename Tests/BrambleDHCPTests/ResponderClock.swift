import BrambleDHCP
import BrambleWire

extension DHCPResponder {
    /// Answers at `seconds` on both of the responder's clocks, the monotonic instant and the
    /// pool's wall clock: the tests count time in whole seconds from one start.
    mutating func respond(to request: DHCPMessage, now seconds: Int64) -> DHCPResponse {
        respond(to: request, now: MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000), wallClock: seconds)
    }
}
