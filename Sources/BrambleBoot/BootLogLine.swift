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

    public static func format(time: Int64, bootStarted: Int64?, node: String, stage: BootStage, failure: Bool, text: String) -> String {
        let since = bootStarted.map { "+" + seconds($0 <= time ? time - $0 : 0) } ?? "-"
        let stageName = stage.description
        let padding = String(repeating: " ", count: max(0, stageWidth - stageName.count))
        return "\(UTCTimestamp.format(milliseconds: time)) \(since) \(LogText.escaped(node)) \(stageName)\(padding) \(failure ? "FAILED " : "")\(LogText.escaped(text))"
    }

    /// Milliseconds as seconds with three decimals: `3.250s`.
    public static func seconds(_ milliseconds: Int64) -> String {
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
