/// The mode string of a request (RFC 1350 section 5), matched case-insensitively as the RFC
/// requires ("NETASCII", "Octet" and so on all occur).
public enum TFTPTransferMode: String, Hashable, Sendable, CaseIterable {
    /// Bytes as they are: what every boot firmware asks for.
    case octet
    /// Text with CR LF line ends; the server converts on the fly (``NetasciiContents``).
    case netascii
    /// Obsolete, and only meaningful for writes: a read server refuses it.
    case mail

    /// Parses a mode string in any letter case.
    public init?(caseInsensitive text: String) {
        self.init(rawValue: text.lowercased())
    }
}
