import Glibc

/// Reading the operator's text files, with errors that name the file and say why.
enum TextFile {
    /// Reads a whole file as UTF-8 (invalid sequences become U+FFFD, so a stray byte is
    /// reported by the parser at its line instead of failing the whole read).
    static func read(_ path: String) throws(FileAccessError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

/// A file could not be opened, read or written; the message says which and why.
public struct FileAccessError: UserFacingError, Equatable {
    public let path: String
    public let operation: String
    public let errno: Int32

    public var message: String {
        let reason = String(cString: strerror(errno))
        return "\(path): cannot \(operation): \(reason)"
    }
}
