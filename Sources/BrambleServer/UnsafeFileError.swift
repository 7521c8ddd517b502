import Glibc

/// Why bramble refused to open a file or directory, or could not: either the path holds
/// something bramble must not touch (a link, a file of the wrong type, a stranger's file),
/// or a system call failed.
///
/// The daemon opens these while it is still root, and the account it drops to owns the
/// state directory: anything that account planted there (a symbolic link to /etc/shadow, a
/// hard link to a root-owned file) would otherwise make root chown, chmod or truncate the
/// target. Refusing with the path and what to do is safer than skipping: the operator
/// learns that something else wrote into the directory.
public enum UnsafeFileError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Where the refused path is: inside the state directory only bramble's own files
    /// belong, so the remedy is to remove the stranger; a path the operator named (the log
    /// file, the capture) is theirs to correct.
    public enum Place: Equatable, Sendable {
        case stateDirectory
        case namedFile
    }

    case symbolicLink(path: String, place: Place)
    /// The state directory's own path: the operator's setting points at a link.
    case linkedStateDirectory(path: String)
    case hardLink(path: String, links: Int, place: Place)
    case wrongType(path: String, expected: String, found: String, place: Place)
    case foreignOwner(path: String, uid: uid_t, allowed: String)
    case system(SystemCallError)

    public var description: String {
        switch self {
        case .symbolicLink(let path, .stateDirectory):
            "\(path) is a symbolic link; the state directory must hold only bramble's own files: remove it"
        case .symbolicLink(let path, .namedFile):
            "\(path) is a symbolic link; bramble never follows a link when it opens a file as root: give the real path"
        case .linkedStateDirectory(let path):
            "\(path) is a symbolic link; bramble opens the state directory without following links: set state-dir to the directory it points to"
        case .hardLink(let path, let links, .stateDirectory):
            "\(path) has \(links) hard links; the state directory must hold only bramble's own files: remove it"
        case .hardLink(let path, let links, .namedFile):
            "\(path) has \(links) hard links; bramble writes only to a file no other name reaches: remove it or give another path"
        case .wrongType(let path, let expected, let found, .stateDirectory):
            "\(path) is \(found), not \(expected); the state directory must hold only bramble's own files: remove it"
        case .wrongType(let path, let expected, let found, .namedFile):
            "\(path) is \(found), not \(expected): give the path of \(expected)"
        case .foreignOwner(let path, let uid, let allowed):
            "\(path) belongs to uid \(uid); it must belong to \(allowed): chown it or remove it"
        case .system(let error):
            error.description
        }
    }

    /// What `st_mode` says the file is, in words for the messages above.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFSOCK: "a socket"
        case S_IFIFO: "a named pipe"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "of unknown type"
        }
    }
}
