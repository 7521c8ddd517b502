extension StringProtocol {
    /// The text without leading and trailing whitespace: config lines tolerate stray spaces
    /// around keys, values and separators.
    var trimmingSpaces: SubSequence {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map(index(after:)) ?? start
        return self[start..<end]
    }
}
