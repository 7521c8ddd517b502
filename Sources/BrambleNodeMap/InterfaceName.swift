/// The name of the network interface bramble serves on (`eth0`). Checked up front because the
/// kernel's own error for a bad name only shows once the daemon binds its sockets.
public struct InterfaceName: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    /// Linux keeps interface names in IFNAMSIZ (16) bytes including the terminating NUL.
    public static let maximumLength = 15

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard !text.isEmpty else { throw InvalidConfigValue("an interface name is needed, like eth0") }
        guard text.utf8.count <= Self.maximumLength else {
            throw InvalidConfigValue(
                "'\(text)' is longer than \(Self.maximumLength) characters, the kernel's limit for interface names")
        }
        guard text != ".", text != "..", !text.contains(where: { $0 == "/" || $0.isWhitespace }) else {
            throw InvalidConfigValue("'\(text)' is not an interface name: names hold no '/' or spaces (see `ip link`)")
        }
        name = text
    }

    public var description: String { name }
}
