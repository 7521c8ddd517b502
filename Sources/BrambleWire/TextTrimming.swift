extension StringProtocol {
    /// The text without leading and trailing whitespace: the one trimming every reader of
    /// operator text uses (config and node-map lines, dnsmasq files, config.txt and
    /// cmdline.txt, netconsole lines, `--models` lists), so they agree on what a stray space
    /// or tab around a value is.
    public var trimmingSpaces: SubSequence {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map(index(after:)) ?? start
        return self[start..<end]
    }
}
