/// The placeholders a boot-file template may use, written `{{key}}`.
public enum BootFileTemplateKey: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The node's ID (bay number).
    case id
    case name
    /// The node's address.
    case ip
    /// The node's MAC, colon-separated lowercase.
    case mac
    /// The Pi's serial number, as its TFTP prefix writes it.
    case serial
    /// The hub's address: the NFS and TFTP server.
    case hub
    /// The node's NFS root: its `root=` setting, else the hub's default.
    case root

    public var description: String { "{{\(rawValue)}}" }
}
