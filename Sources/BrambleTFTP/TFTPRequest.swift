/// A read or write request: which file, how to encode it, and the options the client
/// proposes (RFC 1350 section 5, RFC 2347).
public struct TFTPRequest: Hashable, Sendable {
    /// As the client sent it; ``TFTPPathResolver`` decides what it may name.
    public var fileName: String
    public var mode: TFTPTransferMode
    public var options: TFTPOptions

    public init(fileName: String, mode: TFTPTransferMode = .octet, options: TFTPOptions = []) {
        self.fileName = fileName
        self.mode = mode
        self.options = options
    }
}
