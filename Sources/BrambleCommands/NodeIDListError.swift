/// An `--ids` value that is not a list of IDs and ranges.
struct NodeIDListError: Error, Equatable, CustomStringConvertible {
    let text: String
    let item: String
    let reason: String

    var description: String { "'\(text)': '\(item)': \(reason)" }
}
