import BrambleControl

/// The daemon's answers cut into lines, as bytes arrive in whatever pieces the socket gives.
/// A line longer than the protocol allows (``ControlLine/maximumResponseLength``) is an
/// error, so a daemon that never sends a newline cannot make this process grow without end.
public struct ControlLineFramer: Sendable {
    public let maximumLineLength: Int
    private var pending: [UInt8] = []
    /// Where the newline search resumes: the bytes before it hold none.
    private var searched = 0

    public init(maximumLineLength: Int = ControlLine.maximumResponseLength) {
        self.maximumLineLength = maximumLineLength
    }

    /// The complete lines the new bytes finish, without their newlines, in order.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(ControlLineTooLong) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        var index = searched
        while index < pending.count {
            if pending[index] == UInt8(ascii: "\n") {
                guard index - start <= maximumLineLength else { throw ControlLineTooLong(limit: maximumLineLength) }
                lines.append(Array(pending[start..<index]))
                start = index + 1
            }
            index += 1
        }
        pending.removeFirst(start)
        searched = pending.count
        guard pending.count <= maximumLineLength else { throw ControlLineTooLong(limit: maximumLineLength) }
        return lines
    }
}

/// The daemon sent more than a line may hold without ending it.
public struct ControlLineTooLong: Error, Hashable, Sendable {
    public let limit: Int
}
