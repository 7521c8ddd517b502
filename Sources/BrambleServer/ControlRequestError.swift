import BrambleControl

/// A request line the daemon cannot take.
enum ControlRequestError: Error, CustomStringConvertible {
    case lineTooLong
    case malformed(String)
    case unknownCommand(UnknownControlCommand)

    var description: String {
        switch self {
        case .lineTooLong: "request longer than \(ControlLine.maximumRequestLength) bytes"
        case .malformed(let reason): "malformed request: \(reason)"
        case .unknownCommand(let unknown): "\(unknown)"
        }
    }
}
