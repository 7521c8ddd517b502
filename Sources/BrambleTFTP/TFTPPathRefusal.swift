/// Why a request gets no file. Each case knows the ERROR to answer with; the message names
/// only what the client asked for, never the server's own paths (dnsmasq sends its full
/// path to every Pi that probes bootsig.bin).
public enum TFTPPathRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// An attempt to leave the boot root or a name no client legitimately sends: log it
    /// with the client's address.
    case accessViolation(reason: String)
    /// `isRoutine`: the firmware asks for this file knowing it is usually absent
    /// (`bootsig.bin`, the `<serial>/start4.elf` prefix probe, ...); log at debug level.
    case notFound(isRoutine: Bool)
    /// Directories are never listed or sent.
    case isDirectory
    /// Only a `.tmpl` exists, and the client is no node of the map to render it for.
    case templateNeedsKnownNode(templatePath: String)

    public var errorCode: TFTPErrorCode {
        switch self {
        case .accessViolation, .isDirectory: .accessViolation
        case .notFound, .templateNeedsKnownNode: .fileNotFound
        }
    }

    /// The ERROR packet's text, given the name the client sent.
    public func clientMessage(for fileName: String) -> String {
        switch self {
        case .accessViolation: "access violation: \(fileName)"
        case .notFound, .templateNeedsKnownNode: "file not found: \(fileName)"
        case .isDirectory: "is a directory: \(fileName)"
        }
    }

    public var description: String {
        switch self {
        case .accessViolation(let reason): "access violation: \(reason)"
        case .notFound(let isRoutine): isRoutine ? "not found (expected)" : "not found"
        case .isDirectory: "is a directory"
        case .templateNeedsKnownNode(let path): "\(path) is a template and the client is no node of the map"
        }
    }
}
