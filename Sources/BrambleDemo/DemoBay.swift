/// One bay of the demo's virtual cluster module: the Pi in it and how it identifies itself.
///
/// The layout is the sample node map's (`etc/nodes`): Pi 3B in bays 1-16, Pi 3B+ in 17-32,
/// Pi 4B in 33-48, with the same MACs, so the demo's node map reads like the sample.
struct DemoBay: Hashable, Sendable {
    enum Model: String, Sendable, CaseIterable {
        case pi3B = "3b"
        case pi3BPlus = "3b+"
        case pi4B = "4"

        /// The name the table shows.
        var label: String {
            switch self {
            case .pi3B: "Pi 3B"
            case .pi3BPlus: "Pi 3B+"
            case .pi4B: "Pi 4B"
            }
        }
    }

    static let baysPerModel = 16
    static let maximumCount = baysPerModel * Model.allCases.count

    let id: Int
    let model: Model

    var name: String { id < 10 ? "node0\(id)" : "node\(id)" }
    var address: String { "10.42.0.\(id)" }

    /// `b8:27:eb:10:00:01` for bay 1, `b8:27:eb:20:00:11` for bay 17, `dc:a6:32:30:00:21` for bay 33.
    var mac: String {
        let low = String(id, radix: 16)
        let last = low.count == 1 ? "0" + low : low
        switch model {
        case .pi3B: return "b8:27:eb:10:00:\(last)"
        case .pi3BPlus: return "b8:27:eb:20:00:\(last)"
        case .pi4B: return "dc:a6:32:30:00:\(last)"
        }
    }

    /// The board's serial number: the MAC's low four bytes, as 8 hex digits.
    var serial: String { mac.split(separator: ":").dropFirst(2).joined() }

    /// `count` bays in power-on (ID) order, taking the three models in turn so that even a
    /// small demo boots every model: 6 bays are 1, 2, 17, 18, 33 and 34.
    static func selection(count: Int) -> [DemoBay] {
        let models = Model.allCases
        let bays = (0..<count).map { index in
            let group = index % models.count
            return DemoBay(id: group * baysPerModel + index / models.count + 1, model: models[group])
        }
        return bays.sorted { $0.id < $1.id }
    }
}
