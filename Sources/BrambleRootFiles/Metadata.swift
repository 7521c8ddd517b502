import CRootShims
import Glibc

/// Giving a copied entry its source's owner, mode, extended attributes and times.
///
/// The order matters: chown clears set-user-ID bits and file capabilities, so ownership
/// comes first, then the mode, then the attributes (security.capability, POSIX ACLs), and
/// the times last because every earlier step changes ctime and some change mtime.
enum Metadata {
    static func apply(_ info: stat, from source: Int32, to destination: Int32, path: String) throws(RootFileError) {
        guard fchown(destination, info.st_uid, info.st_gid) == 0 else { throw RootFileError(path: path, operation: "set owner", errno: errno) }
        guard fchmod(destination, info.st_mode & 0o7777) == 0 else { throw RootFileError(path: path, operation: "set mode", errno: errno) }
        try ExtendedAttributes.copy(
            path: path,
            list: { bramble_flistxattr(source, $0, $1) },
            get: { bramble_fgetxattr(source, $0, $1, $2) },
            set: { bramble_fsetxattr(destination, $0, $1, $2) })
        var times = [info.st_atim, info.st_mtim]
        guard futimens(destination, &times) == 0 else { throw RootFileError(path: path, operation: "set times", errno: errno) }
    }

    /// For symbolic links, device nodes and fifos, which cannot (or must not) be opened:
    /// the *at calls with AT_SYMLINK_NOFOLLOW, and the attributes through the parent
    /// directory's descriptor in /proc/self/fd with the l*xattr calls, which act on the
    /// name itself and not on what a link points to.
    static func applyWithoutOpening(_ info: stat, name: FileName, from source: Int32, to destination: Int32, path: String) throws(RootFileError) {
        let isLink = info.fileType == S_IFLNK
        guard name.withCString({ fchownat(destination, $0, info.st_uid, info.st_gid, AT_SYMLINK_NOFOLLOW) }) == 0 else {
            throw RootFileError(path: path, operation: "set owner", errno: errno)
        }
        if !isLink {
            guard name.withCString({ fchmodat(destination, $0, info.st_mode & 0o7777, 0) }) == 0 else {
                throw RootFileError(path: path, operation: "set mode", errno: errno)
            }
        }
        let sourceName = (Array("/proc/self/fd/\(source)/".utf8) + name.bytes + [0]).map { CChar(bitPattern: $0) }
        let destinationName = (Array("/proc/self/fd/\(destination)/".utf8) + name.bytes + [0]).map { CChar(bitPattern: $0) }
        try ExtendedAttributes.copy(
            path: path,
            list: { list, size in sourceName.withUnsafeBufferPointer { bramble_llistxattr($0.baseAddress, list, size) } },
            get: { attribute, value, size in sourceName.withUnsafeBufferPointer { bramble_lgetxattr($0.baseAddress, attribute, value, size) } },
            set: { attribute, value, size in destinationName.withUnsafeBufferPointer { bramble_lsetxattr($0.baseAddress, attribute, value, size) } })
        var times = [info.st_atim, info.st_mtim]
        guard name.withCString({ utimensat(destination, $0, &times, AT_SYMLINK_NOFOLLOW) }) == 0 else {
            throw RootFileError(path: path, operation: "set times", errno: errno)
        }
    }
}

/// Copying every extended attribute of one entry to another: user.*, trusted.*, security.*
/// (file capabilities, SELinux labels) and system.posix_acl_* (the ACLs), see xattr(7).
enum ExtendedAttributes {
    static func copy(
        path: String,
        list: (UnsafeMutablePointer<CChar>?, Int) -> Int,
        get: (UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int,
        set: (UnsafePointer<CChar>, UnsafeRawPointer?, Int) -> Int32
    ) throws(RootFileError) {
        var size = list(nil, 0)
        if size < 0 {
            // A file system without attributes (or a name whose attributes cannot be listed,
            // like a link on some file systems) has none to copy.
            if errno == ENOTSUP || errno == EOPNOTSUPP || errno == EPERM { return }
            throw RootFileError(path: path, operation: "list extended attributes", errno: errno)
        }
        if size == 0 { return }
        var names = [CChar](repeating: 0, count: size)
        size = list(&names, names.count)
        guard size >= 0 else { throw RootFileError(path: path, operation: "list extended attributes", errno: errno) }
        var start = 0
        while start < size {
            let end = names[start..<size].firstIndex(of: 0) ?? size
            if end > start {
                let nameBytes = Array(names[start..<end]) + [0]
                try nameBytes.withUnsafeBufferPointer { (attributeBuffer) throws(RootFileError) in
                    let attribute = attributeBuffer.baseAddress!
                    let length = get(attribute, nil, 0)
                    guard length >= 0 else { throw RootFileError(path: path, operation: "read extended attribute \(String(cString: attribute))", errno: errno) }
                    var value = [UInt8](repeating: 0, count: length)
                    let read = value.withUnsafeMutableBytes { get(attribute, $0.baseAddress, length) }
                    guard read >= 0 else { throw RootFileError(path: path, operation: "read extended attribute \(String(cString: attribute))", errno: errno) }
                    let result = value.withUnsafeBytes { set(attribute, $0.baseAddress, read) }
                    guard result == 0 else { throw RootFileError(path: path, operation: "set extended attribute \(String(cString: attribute))", errno: errno) }
                }
            }
            start = end + 1
        }
    }
}
