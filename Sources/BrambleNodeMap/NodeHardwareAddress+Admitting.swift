import BrambleWire

extension NodeHardwareAddress {
    /// Whether `mac` may fill this column: any MAC for a placeholder's unknown octets, the
    /// known octets (the sheet's `b8:27:eb`) must match; a real MAC admits only itself.
    public func admits(_ mac: MACAddress) -> Bool {
        switch self {
        case .mac(let own): own == mac
        case .placeholder(let octets): zip(octets, mac.bytes).allSatisfy { known, actual in known.map { $0 == actual } ?? true }
        }
    }
}
