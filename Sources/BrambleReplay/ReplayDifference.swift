/// One way today's responders differ from the capture, with the packet numbers to look at.
public struct ReplayDifference: Hashable, Sendable, CustomStringConvertible {
    public var conversation: ReplayConversation
    /// The capture's server packet, when there is one (nil: the replay sent something extra).
    public var capturePacket: Int?
    /// The client packet that led to the replay's packet, when there is one.
    public var cause: Int?
    /// One line per differing field: `option 51 (lease time): capture 3600, replay 7200`.
    public var details: [String]

    public init(conversation: ReplayConversation, capturePacket: Int?, cause: Int?, details: [String]) {
        self.conversation = conversation
        self.capturePacket = capturePacket
        self.cause = cause
        self.details = details
    }

    public var description: String {
        var where_: [String] = []
        if let capturePacket { where_.append("capture packet #\(capturePacket)") }
        if let cause { where_.append("answering #\(cause)") }
        let head = "\(conversation), \(where_.joined(separator: ", ")):"
        return ([head] + details.map { "    \($0)" }).joined(separator: "\n")
    }
}
