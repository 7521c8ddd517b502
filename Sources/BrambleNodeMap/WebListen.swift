import BrambleWire

/// Where `bramble web` serves the dashboard and /metrics (`web-listen`): `off` (the default:
/// it refuses to start), `loopback` (127.0.0.1, for an SSH tunnel or a local Prometheus) or
/// `hub` (the hub's `address`, for the cluster side and the uplink), each with an optional
/// `:PORT`. Never "every interface": a read-only view of the module still says which nodes
/// exist and which fail, so the operator names the one address it is served on.
public enum WebListen: Hashable, Sendable, CustomStringConvertible {
    case off
    case loopback(port: UInt16)
    case hub(port: UInt16)

    /// The port when none is given: outside the well-known range and the common 8080/9090.
    public static let defaultPort: UInt16 = 9420

    public init(parsing text: String) throws(InvalidConfigValue) {
        if text == "off" {
            self = .off
            return
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let port: UInt16
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.utf8.count <= 5, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = UInt16(digits), number > 0 else {
                throw InvalidConfigValue("'\(parts[1])' is not a TCP port: write a number from 1 to 65535, like \(parts[0]):\(Self.defaultPort)")
            }
            port = number
        } else {
            port = Self.defaultPort
        }
        switch parts[0] {
        case "loopback": self = .loopback(port: port)
        case "hub": self = .hub(port: port)
        default:
            throw InvalidConfigValue(
                "'\(text)' is not a listen setting: write off, loopback, hub, or either with a port (loopback:\(Self.defaultPort), hub:\(Self.defaultPort))")
        }
    }

    public var description: String {
        switch self {
        case .off: "off"
        case .loopback(let port): "loopback:\(port)"
        case .hub(let port): "hub:\(port)"
        }
    }
}

/// The one user the dashboard's basic authentication admits (`web-user`): a name the
/// `Authorization: Basic` header can carry (RFC 7617, section 2: no colon, no control characters).
public struct WebUser: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard !text.isEmpty else { throw InvalidConfigValue("no user name: write the name the browser asks for, like ops") }
        guard text.utf8.count <= 64 else { throw InvalidConfigValue("a user name of \(text.utf8.count) bytes is too long: use at most 64") }
        guard !text.contains(":") else { throw InvalidConfigValue("'\(text)' contains ':', which basic authentication uses to end the user name (RFC 7617)") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw InvalidConfigValue("the user name contains a control character")
        }
        name = text
    }

    public var description: String { name }
}
