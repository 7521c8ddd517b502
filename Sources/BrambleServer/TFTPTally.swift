import BrambleControl
import BrambleTFTP

/// TFTPService's counters: read requests by how they ended, the bytes and durations of
/// the files delivered. Integer adds into fixed arrays, nothing allocated per packet or
/// per transfer (issue 18).
struct TFTPTally {
    /// How a read request ended: a delivered file, a probe, a failure, or a refusal before
    /// any transfer began.
    enum Result: Int, CaseIterable {
        case sent, earlyTerminate, abandoned, timedOut, clientError, illegalPacket, unreadable
        case notFound, accessViolation, refusedBusy, malformedRequest, writeRefused, wrongMode

        var label: String {
            switch self {
            case .sent: "sent"
            case .earlyTerminate: "early_terminate"
            case .abandoned: "abandoned"
            case .timedOut: "timed_out"
            case .clientError: "client_error"
            case .illegalPacket: "illegal_packet"
            case .unreadable: "unreadable"
            case .notFound: "not_found"
            case .accessViolation: "access_violation"
            case .refusedBusy: "refused_busy"
            case .malformedRequest: "malformed_request"
            case .writeRefused: "write_refused"
            case .wrongMode: "wrong_mode"
            }
        }

        /// How a running transfer ended; nil for `started`, which ends nothing.
        init?(_ event: TFTPEvent) {
            switch event {
            case .started: return nil
            case .finished: self = .sent
            case .probeEnded(.endedEarly): self = .earlyTerminate
            case .probeEnded(.wentSilent): self = .abandoned
            case .failed(.timedOut), .failed(.noProgress): self = .timedOut
            case .failed(.clientError): self = .clientError
            case .failed(.illegalPacket): self = .illegalPacket
            case .failed(.unreadable): self = .unreadable
            }
        }

        /// A request refused for its path: the ERROR code it was answered with decides.
        init(_ refusal: TFTPPathRefusal) {
            self = refusal.errorCode == .fileNotFound ? .notFound : .accessViolation
        }
    }

    /// Transfer-duration buckets (ms): a config.txt takes a few ms, a Pi 4 kernel over a
    /// lossy link tens of seconds.
    static let durationBoundsMilliseconds: [Int64] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000]

    private var results = [Int](repeating: 0, count: Result.allCases.count)
    private(set) var bytesSent = 0
    private(set) var duration = DurationHistogram(upperBoundsMilliseconds: durationBoundsMilliseconds)

    mutating func count(_ result: Result) { results[result.rawValue] &+= 1 }

    /// A transfer's end: its result, and for a delivered file its bytes and duration.
    mutating func count(ended event: TFTPEvent) {
        guard let result = Result(event) else { return }
        count(result)
        if case .finished(let summary) = event {
            bytesSent &+= summary.bytes
            let (seconds, attoseconds) = summary.duration.components
            duration.observe(microseconds: seconds &* 1_000_000 &+ attoseconds / 1_000_000_000_000)
        }
    }

    func snapshot(inFlight: Int) -> TFTPCounters {
        TFTPCounters(
            transfers: Dictionary(uniqueKeysWithValues: Result.allCases.map { ($0.label, results[$0.rawValue]) }), bytesSent: bytesSent,
            duration: duration, inFlight: inFlight)
    }
}
