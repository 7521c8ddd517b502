import BrambleWire

/// One bay of the demo's virtual cluster module: the Pi in it and how it identifies itself.
///
/// The default layout is the sample node map's (`etc/nodes`): Pi 3B in bays 1-16, Pi 3B+ in
/// 17-32, Pi 4B in 33-48, with the same MACs, so the demo's node map reads like the sample.
/// `--models` splits the 48 bays among the models it names, in its order, in equal groups.
struct DemoBay: Hashable, Sendable {
    /// The boards the simulator plays (scripts/lib/fakepi.py `--model`, which takes these names).
    enum Model: String, Sendable, CaseIterable {
        case pi3B = "3b"
        case pi3BPlus = "3b+"
        case pi4B = "4b"
        case cm4 = "cm4"
        case pi5B = "5b"
        case cm5 = "cm5"

        /// The name the table shows.
        var label: String {
            switch self {
            case .pi3B: "Pi 3B"
            case .pi3BPlus: "Pi 3B+"
            case .pi4B: "Pi 4B"
            case .cm4: "CM4"
            case .pi5B: "Pi 5B"
            case .cm5: "CM5"
            }
        }

        /// The MAC's first three bytes. Raspberry Pi's OUIs by generation (b8:27:eb up to the
        /// Pi 3; dc:a6:32 and e4:5f:01 on the Pi 4 family; 2c:cf:67 and d8:3a:dd later): a
        /// demo with newer boards shows that nothing is decided by OUI.
        var oui: String {
            switch self {
            case .pi3B, .pi3BPlus: "b8:27:eb"
            case .pi4B: "dc:a6:32"
            case .cm4: "e4:5f:01"
            case .pi5B: "2c:cf:67"
            case .cm5: "d8:3a:dd"
            }
        }

        /// The MAC's fourth byte: one per model, so every bay's MAC and serial differ.
        var group: String {
            switch self {
            case .pi3B: "10"
            case .pi3BPlus: "20"
            case .pi4B: "30"
            case .cm4: "40"
            case .pi5B: "50"
            case .cm5: "60"
            }
        }
    }

    /// Why a `--models` list cannot be used; the message names the known models.
    struct ModelListError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    /// The module's bays: a BitScope cluster module holds 48 Pis.
    static let moduleBays = 48
    /// The models of the sample `etc/nodes`, in its bay order: the demo's default.
    static let defaultModels: [Model] = [.pi3B, .pi3BPlus, .pi4B]
    /// The most bays `models` can fill: equal groups (48 for 1, 2, 3, 4 or 6 models, 45 for 5).
    static func maximumCount(models: [Model]) -> Int { baysPerModel(models) * models.count }

    private static func baysPerModel(_ models: [Model]) -> Int { moduleBays / max(1, models.count) }

    /// `3b,3b+,4b,cm4,5b,cm5` (spaces and case ignored; `4` is `4b`, fakepi.py's older name)
    /// as models; an unknown or repeated name is refused with the list of known ones.
    static func parseModels(_ text: String) throws(ModelListError) -> [Model] {
        let known = Model.allCases.map(\.rawValue).joined(separator: ", ")
        var models: [Model] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingSpaces.lowercased()
            guard let model = Model(rawValue: name == "4" ? "4b" : name) else {
                let shown = name.isEmpty ? "an empty name" : "unknown model '\(name)'"
                throw ModelListError(description: "--models: \(shown); the known models are \(known)")
            }
            guard !models.contains(model) else { throw ModelListError(description: "--models: '\(name)' is listed twice") }
            models.append(model)
        }
        return models
    }

    let id: Int
    let model: Model

    var name: String { id < 10 ? "node0\(id)" : "node\(id)" }
    var address: String { "10.42.0.\(id)" }

    /// `b8:27:eb:10:00:01` for bay 1, `b8:27:eb:20:00:11` for bay 17, `dc:a6:32:30:00:21` for
    /// bay 33 in the default layout; the model's OUI and group byte, then the bay ID.
    var mac: String {
        let low = String(id, radix: 16)
        let last = low.count == 1 ? "0" + low : low
        return "\(model.oui):\(model.group):00:\(last)"
    }

    /// The board's serial number: the MAC's low four bytes, as 8 hex digits.
    var serial: String { mac.split(separator: ":").dropFirst(2).joined() }

    /// `count` bays in power-on (ID) order, taking the models in turn so that even a small
    /// demo boots every model: with the default models, 6 bays are 1, 2, 17, 18, 33 and 34.
    static func selection(count: Int, models: [Model] = defaultModels) -> [DemoBay] {
        let perModel = baysPerModel(models)
        let bays = (0..<count).map { index in
            let group = index % models.count
            return DemoBay(id: group * perModel + index / models.count + 1, model: models[group])
        }
        return bays.sorted { $0.id < $1.id }
    }
}
