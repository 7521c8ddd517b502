import BrambleNodeMap

/// What `bramble roots create` will do for each selected node, decided before anything is
/// written so the command can say it first: make the root, or leave the node alone and why.
public struct RootsCreatePlan: Hashable, Sendable {
    public enum Decision: Hashable, Sendable {
        /// Make `<roots>/<name>`; `clearingPartial` when an interrupted create's
        /// `.<name>.partial` must be removed first.
        case make(clearingPartial: Bool)
        /// The node already has a root: create never replaces one (`update` brings it up to
        /// date; `rm` moves it aside).
        case exists
        /// Something that is not a directory sits where the root would go.
        case blocked
    }

    public struct Step: Hashable, Sendable {
        public var node: NodeEntry
        public var decision: Decision
    }

    public var steps: [Step]

    /// The plan for `nodes` given what the roots directory holds.
    public init(nodes: [NodeEntry], entries: [RootsDirectoryEntry]) {
        steps = nodes.map { node in
            let decision: Decision =
                switch RootState.of(nodeNamed: node.name, among: entries) {
                case .present: .exists
                case .notADirectory: .blocked
                case .interrupted: .make(clearingPartial: true)
                case .missing: .make(clearingPartial: false)
                }
            return Step(node: node, decision: decision)
        }
    }

    /// The nodes whose roots this create makes.
    public var nodesToMake: [NodeEntry] {
        steps.compactMap { if case .make = $0.decision { $0.node } else { nil } }
    }
}
