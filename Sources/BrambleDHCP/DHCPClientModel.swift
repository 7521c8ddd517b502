/// The model a DHCP client's firmware told about itself, in words for `bramble status`,
/// `nodes list` and the boot log: "Pi 5B 8GB rev 1.0", "CM4 4GB rev 1.1", "Pi 400 4GB rev 1.0".
///
/// Only the Pi 4/5 bootloader names its board (the revision code in its option 97 GUID);
/// the Pi 3B ROM is known by its constant GUID. The serial layout is sent by the 3B+ ROM and
/// by bootcode.bin on any Pi 2/3 (and a Pi 4 set to `DHCP_OPTION97=0`), so it names no model
/// for sure: it is `tentative`, and never replaces a model a node already reported.
/// What no Pi sends is shown as it is ("unknown board (option 97 GUID 58595a35...)").
public struct DHCPClientModel: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    /// False when the name is a best guess that a definite report overrides.
    public var isDefinite: Bool

    public init(name: String, isDefinite: Bool) {
        self.name = name
        self.isDefinite = isDefinite
    }

    public var description: String { name }
}

extension DHCPEvent {
    /// The model this request reports, or nil when it says nothing about one (the kernel's
    /// and the OS's DHCP clients, iPXE, a PXE client without option 97).
    public var model: DHCPClientModel? {
        switch client {
        case .piBootloader(let generation):
            guard let board = boardRevision else { return DHCPClientModel(name: "RPi\(generation) bootloader", isDefinite: true) }
            let name = board.model == nil ? "RPi\(generation) \(board)" : board.description
            return DHCPClientModel(name: name, isDefinite: true)
        case .pi3BBootROM:
            return DHCPClientModel(name: "Pi 3B", isDefinite: true)
        case .piSerialROM:
            return DHCPClientModel(name: "Pi 3B+ or bootcode.bin", isDefinite: false)
        case .pxe:
            guard let guid = clientMachineIdentifier, !guid.isRaspberryPi else { return nil }
            return DHCPClientModel(name: "unknown board (option 97 \(guid))", isDefinite: true)
        case .iPXE, .plain:
            return nil
        }
    }
}
