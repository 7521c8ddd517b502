import BrambleWire

/// The MAC column of a node line: a real address, or the placeholder the BitScope sheet
/// prints (`b8:27:eb:XX:XX:XX`) for a bay whose Pi has not been enrolled yet.
///
/// Placeholders exist so an operator can paste the sheet as it is and fill the MACs in
/// later (by hand or with `bramble enroll`); a node with a placeholder gets no DHCP answer.
public enum NodeHardwareAddress: Hashable, Sendable, CustomStringConvertible {
    case mac(MACAddress)
    /// Octets that are known, nil where the sheet has `XX`.
    case placeholder([UInt8?])

    public var mac: MACAddress? {
        if case .mac(let mac) = self { mac } else { nil }
    }

    public var description: String {
        switch self {
        case .mac(let mac): mac.description
        case .placeholder(let octets): octets.map { $0.map(hexByteText) ?? "xx" }.joined(separator: ":")
        }
    }

    /// The vendor OUI, when the first three octets are known.
    public var oui: (UInt8, UInt8, UInt8)? {
        switch self {
        case .mac(let mac): mac.oui
        case .placeholder(let octets):
            if let a = octets[0], let b = octets[1], let c = octets[2] { (a, b, c) } else { nil }
        }
    }

    /// Parses a MAC, or a placeholder where some octets are `xx` (any case).
    public static func parse(_ text: Substring) -> Result<NodeHardwareAddress, NodeMapProblem> {
        if text.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "x") }) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 6 else {
                return .failure(.malformedMAC(String(text), reason: MACAddressParseError.wrongOctetCount(parts.count).description))
            }
            var octets: [UInt8?] = []
            for part in parts {
                if part.lowercased() == "xx" {
                    octets.append(nil)
                } else if (1...2).contains(part.utf8.count), let value = UInt8(part, radix: 16) {
                    octets.append(value)
                } else {
                    return .failure(.malformedMAC(String(text), reason: "'\(part)' is neither a hexadecimal octet nor the placeholder XX"))
                }
            }
            return .success(.placeholder(octets))
        }
        let mac: MACAddress
        do {
            mac = try MACAddress(parsing: text)
        } catch {
            return .failure(.malformedMAC(String(text), reason: error.description))
        }
        if mac.isBroadcast { return .failure(.broadcastMAC) }
        if mac.isMulticast { return .failure(.multicastMAC(mac)) }
        if mac.isZero { return .failure(.zeroMAC) }
        return .success(.mac(mac))
    }
}

private func hexByteText(_ byte: UInt8) -> String {
    let text = String(byte, radix: 16)
    return byte < 16 ? "0" + text : text
}
