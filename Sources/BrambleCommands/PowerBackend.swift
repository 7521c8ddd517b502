import BrambleBMC
import BrambleBMCSerial
import BrambleNodeMap

/// How `enroll` and `power-on` power a bay on: the operator's command template, or the
/// Edge Rack's BMC built in (`--power bmc`).
enum PowerBackend {
    case command(PowerCommand)
    /// The BMC on `device`; each bay's BMC ID from the node map (`bmc=`, else the bay's ID).
    case bmc(device: String, nodes: NodeMapFile)

    /// The `--power` value that selects the BMC instead of a command.
    static let bmcKeyword = "bmc"

    init(option: String, bmcDevice: String, nodes: NodeMapFile) {
        self = option == Self.bmcKeyword ? .bmc(device: bmcDevice, nodes: nodes) : .command(PowerCommand(template: option))
    }

    /// What powering bay `id` does, for the progress line.
    func description(for id: Int) -> String {
        switch self {
        case .command(let command): command.command(for: id)
        case .bmc(let device, let nodes): "bmc [\(((try? Self.target(id, nodes: nodes)) ?? BMCTarget(id: id, entry: nil)).bmc)]| / on \(device)"
        }
    }

    /// Powers bay `id` on; nil when done, else why not, for the caller to report.
    func powerOn(_ id: Int) throws -> String? {
        switch self {
        case .command(let command):
            let status = try command.run(for: id)
            return status == 0 ? nil : "power command `\(command.command(for: id))` failed with exit status \(status)"
        case .bmc(let device, let nodes):
            let bmc = try Self.target(id, nodes: nodes).bmc
            do throws(BMCLinkError) {
                let session = try BMCSession(device: device, unparsed: { printToStandardError("bmc: \(device): not understood, skipped: \($0)") })
                defer { session.finish() }
                _ = try session.setPower(.on, of: bmc)
                return nil
            } catch {
                return error.message
            }
        }
    }

    /// The bay's BMC ID from the map as it is now (enroll edits it between power-ons); an
    /// invalid map is an error, not a silent fall-back to the bay's ID.
    private static func target(_ id: Int, nodes: NodeMapFile) throws -> BMCTarget {
        BMCTarget(id: id, entry: TextFile.exists(nodes.path) ? try nodes.load().node(id: id) : nil)
    }
}
