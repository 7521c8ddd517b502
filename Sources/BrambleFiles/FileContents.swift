import Glibc

/// A whole file read by its path, with an error that names the file and says why: the one
/// reader of the CLI (node map, config, exports, boot files for replay) and of `bramble-web`
/// (config, password file, node map), which must not link the CLI's modules.
public enum FileContents {
    /// The file's bytes, at most `limit` of them: the rest is not read, so a caller that
    /// wants to refuse an oversized file asks for one byte more than it accepts.
    public static func read(_ path: String, limit: Int = .max) throws(FileAccessError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}

/// A file could not be opened, read or written; the message says which and why.
public struct FileAccessError: Error, Equatable, Sendable {
    public let path: String
    public let operation: String
    public let errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    /// The operating system's words for ``errno``.
    public var reason: String { String(cString: strerror(errno)) }

    public var message: String { "\(path): cannot \(operation): \(reason)" }
}
