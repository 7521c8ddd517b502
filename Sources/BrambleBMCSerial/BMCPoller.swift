import BrambleBMC

/// Reads every bay's status line for a dashboard or a scrape, one short session per bay:
/// the line's lock is held for one node at a time, so a `bramble enroll --power bmc` or a
/// `bramble bmc cycle` waiting for the line gets it between two bays rather than after a
/// whole rack of (possibly silent) nodes.
public struct BMCPoller: Sendable {
    /// A bay to read: the node map's ID and name, and its BMC ID.
    public struct Bay: Hashable, Sendable {
        public let id: Int
        public let name: String
        public let bmc: BMCID

        public init(id: Int, name: String, bmc: BMCID) {
            self.id = id
            self.name = name
            self.bmc = bmc
        }
    }

    public let device: String
    /// Per bay: a poll should not hold the line long for a node that does not answer.
    public let replyMilliseconds: Int
    /// How long to wait for the line when another process holds it, per bay.
    public let lockMilliseconds: Int

    public init(device: String, replyMilliseconds: Int = 500, lockMilliseconds: Int = 2000) {
        self.device = device
        self.replyMilliseconds = replyMilliseconds
        self.lockMilliseconds = lockMilliseconds
    }

    /// One reading per bay, in order: its status, or why there is none.
    public func read(_ bays: [Bay], unparsed: @escaping (BMCUnparsedLine) -> Void = { _ in }) -> [BMCBayReading] {
        bays.map { bay in
            do throws(BMCLinkError) {
                let session = try BMCSession(
                    device: device, replyMilliseconds: replyMilliseconds, lockMilliseconds: lockMilliseconds, unparsed: unparsed)
                defer { session.finish() }
                return BMCBayReading(id: bay.id, name: bay.name, bmc: bay.bmc, status: try session.status(of: bay.bmc), error: nil)
            } catch {
                return BMCBayReading(id: bay.id, name: bay.name, bmc: bay.bmc, status: nil, error: error.message)
            }
        }
    }
}
