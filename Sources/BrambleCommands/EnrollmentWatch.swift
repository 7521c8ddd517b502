import BrambleControl
import BrambleNodeMap
import BrambleWire

/// Which MACs `bramble enroll` may bind: outside the node map, not bound earlier in this
/// run, not seen before the current bay was powered (a stray), and fitting the node's
/// placeholder (`b8:27:eb:XX:XX:XX` admits only Raspberry Pi 3 MACs).
struct EnrollmentWatch {
    private(set) var taken: Set<MACAddress>
    private(set) var strays: Set<MACAddress> = []

    init(map: NodeMap) {
        taken = Set(map.nodes.compactMap(\.mac))
    }

    /// The MAC of `discovery` if it may fill `column` (nil: the node is not in the map yet).
    func candidate(_ discovery: Discovery, for column: NodeHardwareAddress?) -> MACAddress? {
        guard let mac = MACAddress(discovery.mac), !taken.contains(mac), !strays.contains(mac) else { return nil }
        if let column, !column.admits(mac) { return nil }
        return mac
    }

    mutating func bind(_ mac: MACAddress) { taken.insert(mac) }

    /// MACs that appeared without being bound (none or two for one bay): never bound later,
    /// since they no longer say which bay they belong to.
    mutating func setAside(_ macs: some Sequence<MACAddress>) { strays.formUnion(macs) }
}
