/// Why a capture file cannot be read, with what the operator can do about it.
public enum CaptureReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libpcap refused the file: missing, unreadable, or neither pcap nor pcapng.
    case cannotOpen(path: String, reason: String)
    /// A capture of another link layer (Linux cooked, raw IP, Wi-Fi): replay needs Ethernet.
    case unsupportedLinkType(path: String, linkType: Int32, name: String)
    /// libpcap, which reads capture files, is not installed (or not loadable): `reason` is
    /// what the loader said.
    case libpcapUnavailable(path: String, reason: String)
    /// The file ends inside a record, or libpcap found a record it cannot parse.
    case damagedRecord(path: String, afterPacket: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "\(path): cannot read as pcap or pcapng: \(reason)"
        case .unsupportedLinkType(let path, let linkType, let name):
            "\(path): link type \(linkType) (\(name)) is not Ethernet; capture on the cluster interface (tcpdump -i IF -w FILE), not on `any`"
        case .libpcapUnavailable(let path, let reason):
            "\(path): reading capture files needs libpcap (Debian: apt install libpcap0.8): \(reason)"
        case .damagedRecord(let path, let afterPacket, let reason):
            "\(path): damaged after packet \(afterPacket): \(reason)"
        }
    }
}
