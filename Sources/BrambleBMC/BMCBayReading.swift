/// What the BMC said about one bay, for `bramble bmc status --json` and the web dashboard:
/// the status line, or why there is none (the node did not answer, the line is busy, ...).
public struct BMCBayReading: Codable, Hashable, Sendable {
    /// The node map's ID (the bay).
    public let id: Int
    public let name: String
    /// The node's ID on the BMC's bus (`bmc=`, else the bay's ID).
    public let bmc: BMCID
    public let status: BMCStatus?
    public let error: String?

    public init(id: Int, name: String, bmc: BMCID, status: BMCStatus?, error: String?) {
        self.id = id
        self.name = name
        self.bmc = bmc
        self.status = status
        self.error = error
    }
}
