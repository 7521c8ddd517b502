/// The `--ids` argument: `1-16,23,30-48`, in the order written (the order bays power on).
struct NodeIDList: Equatable {
    let ids: [Int]

    /// Each item is an ID or an ascending range `A-B`; IDs are positive (the node map checks they fit its subnet) and appear once.
    init(parsing text: String) throws(NodeIDListError) {
        var ids: [Int] = []
        var seen = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let first = Self.id(bounds[0]), let last = Self.id(bounds[bounds.count - 1]) else {
                throw NodeIDListError(text: text, item: String(item), reason: "expected a node ID or a range like 1-16")
            }
            guard first <= last else { throw NodeIDListError(text: text, item: String(item), reason: "a range runs from low to high") }
            for id in first...last {
                guard seen.insert(id).inserted else { throw NodeIDListError(text: text, item: String(item), reason: "node \(id) is listed twice") }
                ids.append(id)
            }
        }
        self.ids = ids
    }

    private static func id(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int(text), (1...65_534).contains(value) else { return nil }
        return value
    }
}
