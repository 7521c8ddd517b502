/// `bramble power-on` ended with nodes that did not come up: exit status 1 for scripts.
struct NodesNotUp: UserFacingError, Equatable {
    let ids: [Int]
    var message: String {
        "not up: node \(ids.map(String.init).joined(separator: ", node ")); `bramble logs ID` shows where each stopped"
    }
}
