import BrambleFiles
import BrambleNodeMap

/// The effective configuration could not be loaded: the file could not be read, or the
/// settings are wrong (every diagnostic, one per line, `FILE:LINE: reason`).
public enum ConfigLoadError: UserFacingError, Equatable {
    case unreadable(FileAccessError)
    case invalid(ConfigError)

    public var message: String {
        switch self {
        case .unreadable(let error): error.message
        case .invalid(let error): error.message
        }
    }
}
