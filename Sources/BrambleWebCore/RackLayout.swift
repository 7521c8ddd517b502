/// Where a bay sits in a BitScope cluster module, so the dashboard draws the bays as the rack
/// holds them and a person can walk to the failing node.
///
/// The module's user guide (docs.bitscope.com/NMEBW9HT, "Node Map") numbers the nodes by
/// their control-plane ID: seen from the right of the module, node 1 is at the top left,
/// node 2 below it down the first control-plane bus (a BitBar), then the second bus, and so
/// on towards the rear. The guide's 60-node module has ten buses; a 48-node one eight. The
/// dashboard therefore draws one column per bus of ``baysPerBar`` bays, IDs running down a
/// column and columns left to right (front to rear), which is the module seen from its right
/// side. IDs past the last full bus start a new column, so any node map lays out.
public struct RackLayout: Codable, Hashable, Sendable {
    /// Bays on one BitBar: 60 nodes on ten buses in the guide's module.
    public static let baysPerBar = 6

    /// Columns drawn: enough buses for the highest ID of the node map.
    public var bars: Int
    public var baysPerBar: Int
    /// How the picture is oriented, for the page's legend.
    public var orientation: String

    public init(highestID: Int) {
        bars = max(1, (max(highestID, 1) + Self.baysPerBar - 1) / Self.baysPerBar)
        baysPerBar = Self.baysPerBar
        orientation = "seen from the right of the module: node 1 top left, IDs down each BitBar, buses front to rear"
    }

    /// The bay's place: its bus (column, 1-based) and its position down the bus (row, 1-based).
    public static func position(of id: Int) -> BayPosition {
        let index = max(id, 1) - 1
        return BayPosition(bar: index / baysPerBar + 1, slot: index % baysPerBar + 1)
    }
}

/// A bay's column (BitBar) and row (slot down the bar), both from 1.
public struct BayPosition: Codable, Hashable, Sendable {
    public var bar: Int
    public var slot: Int

    public init(bar: Int, slot: Int) {
        self.bar = bar
        self.slot = slot
    }
}
