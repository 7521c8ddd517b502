import ArgumentParser
import BrambleBMC
import BrambleBMCSerial
import BrambleNodeMap

/// A node as `bramble bmc` and `--power bmc` address it: the bay, its name, its BMC ID.
struct BMCTarget: Equatable {
    let id: Int
    let name: String
    let bmc: BMCID

    /// The node's `bmc=` setting, else its bay's ID (node IDs are 1 to 254: always one byte).
    init(id: Int, entry: NodeEntry?) {
        self.id = id
        name = entry?.name ?? NodeName.defaultName(forID: id)
        bmc = entry?.settings.bmc.map(BMCID.init) ?? BMCID(bay: id) ?? BMCID(0)
    }

    /// `node05 (bmc 05)`: how messages name it.
    var label: String { "\(name) (bmc \(bmc))" }

    /// Resolves NODE arguments (ID, range list as `--ids` takes it, name or MAC) against the node map. A bare ID also works
    /// without a map line (a bay not enrolled yet, or no map at all), with the bay's ID.
    static func resolve(_ arguments: [String], file: NodeMapFile) throws -> [BMCTarget] {
        let references = arguments.flatMap { argument -> [String] in
            guard argument.contains(where: { $0 == "-" || $0 == "," }), let list = try? NodeIDList(parsing: argument) else { return [argument] }
            return list.ids.map(String.init)
        }
        let allNumeric = references.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        let map: NodeMap?
        if !TextFile.exists(file.path) && allNumeric {
            map = nil
        } else {
            map = try file.load()
        }
        return try references.map { reference in
            if let entry = map?.node(matching: reference) { return BMCTarget(id: entry.id, entry: entry) }
            if reference.allSatisfy(\.isASCII), reference.allSatisfy(\.isNumber), let id = Int(reference), (1...254).contains(id) {
                return BMCTarget(id: id, entry: nil)
            }
            throw ValidationError("'\(reference)' is no node of \(file.path): give an ID (1-254), a name or a MAC")
        }
    }
}

extension BMCLinkError: UserFacingError {}
