import BrambleCapture

/// What a replay found: the differences, and what it fed and compared.
public struct ReplayReport: Sendable {
    public var differences: [ReplayDifference] = []
    /// Client packets fed to the responders, by protocol ("DHCP", "TFTP", "DNS").
    public var fed: [String: Int] = [:]
    /// Server packets of the capture compared.
    public var compared = 0
    /// Frames that are not DHCP, TFTP or DNS traffic of this hub (ARP, other hosts, damaged
    /// frames), with the reason, by packet number.
    public var skipped: [(number: Int, reason: String)] = []
    /// Today's answers, for `--update`.
    public var produced: [ReplayedPacket] = []
    /// Upstream answers in the capture, by packet number, and the query ID and port of the
    /// replay's upstream query they answered: `--update` rewrites them to match.
    public var upstreamAnswerRewrites: [Int: (id: UInt16, port: UInt16)] = [:]

    public var isClean: Bool { differences.isEmpty }

    /// The readable summary `bramble replay` prints after the differences.
    public var summary: String {
        let fedText = fed.keys.sorted().map { "\(fed[$0]!) \($0)" }.joined(separator: ", ")
        let verdict = isClean ? "no differences" : "\(differences.count) difference\(differences.count == 1 ? "" : "s")"
        return "replayed \(fedText.isEmpty ? "no client packets" : fedText) client packets; compared \(compared) server packets; \(skipped.count) frames skipped; \(verdict)"
    }
}
